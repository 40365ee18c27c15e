import { MemoryGovernor } from "../src/governor/memory-governor";
import { describeGovernorConformance } from "../src/testing/conformance/governor-conformance";

describeGovernorConformance("memory", ({ clock, defaults }) => ({ governor: new MemoryGovernor({ clock, defaults }) }));
