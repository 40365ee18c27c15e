/**
 * A minimal PNG encoder (8-bit RGB, no interlace, filter 0) and a tiny MP4 placeholder, used by
 * the offline provider to return real, decodable media without any dependency.
 */
import { crc32, deflateSync } from "node:zlib";

export type Rgb = readonly [number, number, number];

export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** Encodes a `width`×`height` RGB image whose pixels come from `pixel(x, y)`. */
export function encodePng(width: number, height: number, pixel: (x: number, y: number) => Rgb): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError("PNG dimensions must be positive integers");
  }
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    raw[y * stride] = 0; // filter type: None
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      const at = y * stride + 1 + x * 3;
      raw[at] = r & 0xff;
      raw[at + 1] = g & 0xff;
      raw[at + 2] = b & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour
  ihdr[10] = 0; // compression: deflate
  ihdr[11] = 0; // filter method
  ihdr[12] = 0; // no interlace
  return new Uint8Array(Buffer.concat([PNG_SIGNATURE, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]));
}

/** length (4, big endian) · type (4) · data · CRC-32 over type and data (4). */
function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A placeholder "video": an ISO BMFF `ftyp` box (brand `isom`) followed by a `free` box carrying
 * `tag`. Tools recognise it as MP4 by its signature, but it holds no media track and will not play.
 */
export function placeholderMp4(tag: Uint8Array): Uint8Array {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write("ftyp", 4, "ascii");
  ftyp.write("isom", 8, "ascii"); // major brand
  ftyp.writeUInt32BE(0x200, 12); // minor version
  ftyp.write("isom", 16, "ascii"); // compatible brands
  ftyp.write("mp41", 20, "ascii");
  const free = Buffer.alloc(8 + tag.length);
  free.writeUInt32BE(free.length, 0);
  free.write("free", 4, "ascii");
  Buffer.from(tag).copy(free, 8);
  return new Uint8Array(Buffer.concat([ftyp, free]));
}
