import { parseRoute, routeHref } from "../src/ui/use-hash-route";

describe("hash route", () => {
  it("reads the editor, the list and one batch, and round-trips an id through routeHref", () => {
    expect(parseRoute("")).toEqual({ name: "editor" });
    expect(parseRoute("#/batches")).toEqual({ name: "batches" });
    expect(parseRoute("#/batches/abc_1-2")).toEqual({ name: "batch", id: "abc_1-2" });
    expect(parseRoute(routeHref({ name: "batch", id: "a b/%" }))).toEqual({ name: "batch", id: "a b/%" });
  });

  it("keeps a batch id that is not valid percent-encoding as typed instead of throwing", () => {
    // A pasted or hand-edited link such as #/batches/%zz must not blank the whole app with a
    // URIError: the batch view then says that no such batch exists.
    expect(parseRoute("#/batches/%zz")).toEqual({ name: "batch", id: "%zz" });
    expect(parseRoute("#/batches/%E0%A4%A")).toEqual({ name: "batch", id: "%E0%A4%A" });
  });
});
