/** The current validation issues, read by node components on the canvas. */
import { createContext } from "react";
import type { IssueMap } from "../lib/validation-display";

export const IssuesContext = createContext<IssueMap>({ byNode: new Map(), byEdge: new Map(), general: [] });
