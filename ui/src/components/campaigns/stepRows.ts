// A campaign step as the editor's row shows it (timing as a choice and a number of days) and
// back. Fields the form does not edit survive in `original`.
import type { Offer, Step, StepChannel } from "../../lib/api";
import { readRules, ruleForm, type OfferRuleForm } from "./offerRules";

/** e…: counted from the campaign's event instead of the due date. */
export type Timing = "before" | "on" | "after" | "day" | "ebefore" | "eon" | "eafter";
export interface StepRow {
  timing: Timing;
  days: number;
  template: string;
  /** A/B: the second template the step alternates with ("" for none). */
  alt: string;
  channel: StepChannel;
  /** Days before the step the customer's owner is told ("" for nobody). */
  owner: string;
  /** Early-payment offer: "2.5%" (a percentage) or "25.00" (an amount off each invoice); "" for none. */
  offer: string;
  /** Days the offer holds. */
  offerDays: string;
  /** Who gets the offer. */
  offerRules: OfferRuleForm;
  /** The step as the preset had it (fields this form does not edit survive). */
  original: Step | null;
}

export function stepRow(step: Step): StepRow {
  const t = step.trigger;
  const owner = step.notify_owner_days === null ? "" : String(step.notify_owner_days);
  const offer = step.offer ? (step.offer.percent ? `${step.offer.percent}%` : (step.offer.amount ?? "")) : "";
  const offerDays = step.offer ? String(step.offer.valid_days) : "";
  const offerRules = ruleForm(step.offer);
  const row = { template: step.template_key, alt: step.alt_template_key ?? "", channel: step.channel, owner, offer, offerDays, offerRules, original: step };
  if ("day_of_month" in t) return { ...row, timing: "day", days: t.day_of_month };
  if ("event_offset" in t) {
    const n = t.event_offset;
    return { ...row, timing: n < 0 ? "ebefore" : n === 0 ? "eon" : "eafter", days: Math.abs(n) };
  }
  const n = t.due_offset;
  return { ...row, timing: n < 0 ? "before" : n === 0 ? "on" : "after", days: Math.abs(n) };
}

export function toStep(row: StepRow, index: number): Step {
  const days = Math.abs(Math.trunc(Number(row.days) || 0));
  const signed = (before: boolean, on: boolean) => (before ? -days : on ? 0 : days);
  const trigger =
    row.timing === "day"
      ? { day_of_month: days }
      : row.timing.startsWith("e")
        ? { event_offset: signed(row.timing === "ebefore", row.timing === "eon") }
        : { due_offset: signed(row.timing === "before", row.timing === "on") };
  return {
    ...(row.original ?? {}),
    position: index + 1,
    trigger,
    template_key: row.template,
    alt_template_key: row.alt || null,
    channel: row.channel,
    notify_owner_days: ownerDays(row.owner),
    offer: offerOf(row, index),
  };
}

/** The row's offer with its rules; a rule typed wrong throws (the editor shows it beside the
 * field too). A wrong number of days reads as -1, which saving refuses with the reason. */
function offerOf(row: StepRow, index: number): Offer | null {
  const text = String(row.offer ?? "").trim();
  // A call carries no offer (the form hides the field for calls).
  if (text === "" || row.channel !== "email") return null;
  const days = Number(String(row.offerDays ?? "").trim() || "14");
  const percent = text.endsWith("%");
  const { rules, errors } = readRules(row.offerRules);
  const wrong = Object.values(errors)[0];
  if (wrong) throw new Error(`Step ${index + 1}'s offer: ${wrong}`);
  return {
    ...(row.original?.offer ?? {}),
    percent: percent ? text.slice(0, -1).trim() : null,
    amount: percent ? null : text,
    valid_days: Number.isInteger(days) ? days : -1,
    ...rules,
  };
}

/** "" is nobody; anything but a whole number reads as -1, which saving refuses with the reason. */
function ownerDays(text: string): number | null {
  const t = String(text ?? "").trim();
  if (t === "") return null;
  const n = Number(t);
  return Number.isInteger(n) ? n : -1;
}
