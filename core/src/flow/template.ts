/**
 * Prompt templates: `{{nodeId}}` is the output of an upstream node, `{{nodeId.a.b}}` a field of a
 * JSON output. Whitespace inside the braces is allowed (`{{ title }}`). Anything in double braces
 * that is not shaped like a reference (e.g. `{"a":1}` inside `{{ }}`) is left as literal text, but
 * text that looks like a broken reference (`{{first name}}`, `{{a..b}}`) is reported by
 * `malformedRefs` so validation can name it.
 */

/** One `{{...}}` reference found in a template. */
export interface TemplateRef {
  /** The text as written, braces included: `{{ summary.title }}`. */
  raw: string;
  /** The referenced node id. */
  node: string;
  /** Field path into a JSON output; empty for the whole output. */
  path: string[];
  /** Offsets of `raw` in the template. */
  start: number;
  end: number;
}

const ID = "[A-Za-z0-9_][A-Za-z0-9_-]*";
const FIELD = "[A-Za-z0-9_-]+";
const REF_BODY = new RegExp(`^(${ID})((?:\\.${FIELD})*)$`);
/** Any double-brace group without braces inside. */
const BRACES = /\{\{([^{}]*)\}\}/g;
/** Inner text that is clearly meant as a reference even though it is not a valid one. */
const LOOKS_LIKE_REF = /^[\p{L}\p{N}_.\- ]+$/u;

function scan(template: string): Array<{ raw: string; inner: string; start: number }> {
  const found: Array<{ raw: string; inner: string; start: number }> = [];
  for (const m of template.matchAll(BRACES)) {
    found.push({ raw: m[0], inner: (m[1] ?? "").trim(), start: m.index });
  }
  return found;
}

/** Every valid reference in the template, in order of appearance. */
export function templateRefs(template: string): TemplateRef[] {
  const refs: TemplateRef[] = [];
  for (const { raw, inner, start } of scan(template)) {
    const m = REF_BODY.exec(inner);
    if (!m) continue;
    const fields = m[2] ? m[2].slice(1).split(".") : [];
    refs.push({ raw, node: m[1] ?? "", path: fields, start, end: start + raw.length });
  }
  return refs;
}

/** Double-brace groups that look like references but cannot be parsed as one. */
export function malformedRefs(template: string): string[] {
  return scan(template)
    .filter(({ inner }) => !REF_BODY.test(inner) && (inner === "" || LOOKS_LIKE_REF.test(inner)))
    .map(({ raw }) => raw);
}

/** The ref as written without braces or whitespace: `summary.title`. */
export function refName(ref: Pick<TemplateRef, "node" | "path">): string {
  return [ref.node, ...ref.path].join(".");
}

/**
 * Replaces each valid reference with `lookup(ref)`; everything else is copied verbatim. `lookup`
 * may throw to signal a missing value; the error propagates unchanged.
 */
export function renderTemplate(template: string, lookup: (ref: TemplateRef) => string): string {
  let out = "";
  let last = 0;
  for (const ref of templateRefs(template)) {
    out += template.slice(last, ref.start) + lookup(ref);
    last = ref.end;
  }
  return out + template.slice(last);
}
