import { toggleSelection } from "../src/lib/row-selection";

describe("row selection", () => {
  it("a click flips one row; a shift-click sets the range shown since the last click", () => {
    const shown = [0, 2, 3, 5, 7];
    const one = toggleSelection(new Set(), shown, 2, null, false);
    expect([...one]).toEqual([2]);
    const range = toggleSelection(one, shown, 7, 2, true);
    expect([...range].sort((a, b) => a - b)).toEqual([2, 3, 5, 7]);
    const off = toggleSelection(range, shown, 3, 7, true);
    expect([...off].sort((a, b) => a - b)).toEqual([2]);
    // A range whose anchor is no longer shown (another filter) flips the clicked row only.
    expect([...toggleSelection(new Set(), shown, 5, 4, true)]).toEqual([5]);
  });
});
