import { parseRoute, routeHref } from "../src/ui/use-hash-route";
import { fieldsOf, overrideOf, serverErrorsFor } from "../src/lib/limits-form";

describe("settings page form", () => {
  it("shows an override in its fields and blank for the fields the default covers", () => {
    expect(fieldsOf({ rpm: 120, concurrency: 4 })).toEqual({ rpm: "120", tpm: "", concurrency: "4", rpd: "" });
    expect(fieldsOf(null)).toEqual({ rpm: "", tpm: "", concurrency: "", rpd: "" });
  });

  it("turns filled fields into the override, all blank into null (back to the default)", () => {
    expect(overrideOf({ rpm: " 120 ", tpm: "1_000_000", concurrency: "", rpd: "50" })).toEqual({ override: { rpm: 120, tpm: 1_000_000, rpd: 50 }, errors: {} });
    expect(overrideOf({ rpm: "", tpm: " ", concurrency: "", rpd: "" })).toEqual({ override: null, errors: {} });
  });

  it("names each bad field: not a number, not above 0, not whole where it must be", () => {
    const r = overrideOf({ rpm: "fast", tpm: "0", concurrency: "2.5", rpd: "-3" });
    expect(Object.keys(r.errors).sort()).toEqual(["concurrency", "rpd", "rpm", "tpm"]);
    expect(r.errors.concurrency).toMatch(/whole number/);
    expect(overrideOf({ rpm: "0.5", tpm: "", concurrency: "", rpd: "" })).toEqual({ override: { rpm: 0.5 }, errors: {} });
  });

  it("maps the server's details to the model's fields", () => {
    const details = [
      { path: "m.rpm", message: "must be more than 0" },
      { path: "m", message: 'unknown limit "x"' },
      { path: "other.rpd", message: "no" },
    ];
    expect(serverErrorsFor(details, "m")).toEqual({ rpm: "must be more than 0", _: 'unknown limit "x"' });
  });

  it("routes #/settings to the settings page", () => {
    expect(parseRoute("#/settings")).toEqual({ name: "settings" });
    expect(routeHref({ name: "settings" })).toBe("#/settings");
  });
});
