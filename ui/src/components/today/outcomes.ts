// The six call outcomes in key order: the Today view logs them with the number keys.
import type { CallOutcome } from "../../lib/api";

export interface OutcomeChoice {
  key: string;
  outcome: CallOutcome;
  label: string;
}

export const OUTCOMES: readonly OutcomeChoice[] = [
  { key: "1", outcome: "reached", label: "Reached" },
  { key: "2", outcome: "promise", label: "Promise" },
  { key: "3", outcome: "dispute", label: "Dispute" },
  { key: "4", outcome: "left_voicemail", label: "Left voicemail" },
  { key: "5", outcome: "no_answer", label: "No answer" },
  { key: "6", outcome: "wrong_number", label: "Wrong number" },
];
