// The campaign shapes the shell sends and takes: the core's serde forms of `Campaign`,
// `NewCampaign` and `Plan` (src-tauri/core/src/campaign). They have no generated bindings, so
// this mirrors the fields the campaign screens use; objects read from the shell are spread
// back unchanged, so fields added in the core survive an edit here.

export type Channel = "email" | "call";

/** How far one message may move a customer up the overdue steps (the core's `Escalation`). */
export type Escalation = "one_step" | "jump";

export const escalationLabels: Record<Escalation, string> = {
  one_step: "one step at a time",
  jump: "jump to the invoice's age",
};

/** `{ due_offset: -3 }`: N days after the due date (negative: before); `{ day_of_month: 1 }`. */
export type Trigger = { due_offset: number } | { day_of_month: number };

export interface Step {
  position: number;
  trigger: Trigger;
  template_key: string;
  channel: Channel;
  alt_template_key?: string | null;
}

export interface Audience {
  segment: string | null;
  tags: string[];
  currency: string | null;
  min_balance_minor: number | null;
  max_balance_minor: number | null;
  min_days_overdue: number | null;
  max_days_overdue: number | null;
  /** Payment history: customers whose paid invoices were on average this many days late. */
  usually_late?: { min_average_days_late: number } | null;
  custom_fields?: FieldCondition[];
  [more: string]: unknown;
}

export interface FieldCondition {
  key: string;
  op: "equals" | "contains";
  value: string;
}

export interface NewCampaign {
  name: string;
  audience: Audience;
  steps: Step[];
  min_gap_days: number;
  quiet_weekends: boolean;
  holidays: string[];
  daily_cap: number | null;
  active: boolean;
  /** Left out by campaigns stored before the setting: the core reads that as "one_step". */
  escalation?: Escalation;
  [more: string]: unknown;
}

export interface Campaign extends NewCampaign {
  id: number;
  /** When switching it on was confirmed after seeing its backlog; null: never, so it sends nothing. */
  confirmed_at?: string | null;
  catch_up?: "tidy_up" | "statement" | null;
}

/** Whether runs send it: switched on and confirmed (the core's `Campaign::sends`). */
export const sends = (c: Campaign) => c.active && !!c.confirmed_at;

export interface CampaignPreset {
  key: string;
  campaign: NewCampaign;
}

export interface TemplateChoice {
  key: string;
  name: string;
}

export interface PlannedInvoice {
  invoice_id: number;
  number: string;
  step_position: number;
  period: string;
}

export interface PlannedContact {
  customer_id: number;
  customer_name: string;
  step_position: number;
  template_key: string;
  channel: Channel;
  no_email: boolean;
  invoices: PlannedInvoice[];
  open_invoice_ids: number[];
  send_key: string;
  /** Which step of the escalation the customer is on and why. */
  stage: string;
  why: string;
}

export interface Excluded {
  customer_id: number;
  customer_name: string;
  reason: string;
  step_position: number | null;
  detail: string;
}

export interface StepCount {
  position: number;
  template_key: string;
  emails: number;
  calls: number;
  excluded: number;
}

export interface Plan {
  campaign_id: number;
  date: string;
  quiet_day: string | null;
  /** Set when the campaign is switched on but was never confirmed: runs send nothing for it. */
  unconfirmed?: string | null;
  /** "sending paused until TIME: <server's words>" while the server has paused the account. */
  sending_paused?: string | null;
  contacts: PlannedContact[];
  excluded: Excluded[];
  between_steps: number;
  counts: StepCount[];
}

export interface Outcomes {
  sent: number;
  failed: number;
  uncertain: number;
  queued: number;
  paid: number;
  promised: number;
  paid_or_promised: number;
  window_open: number;
  paid_rate: number | null;
}

export interface StepResults {
  position: number;
  template_key: string;
  outcomes: Outcomes;
  variants: { variant: "a" | "b"; template_key: string; outcomes: Outcomes }[];
}

export interface CampaignResults {
  campaign_id: number;
  name: string;
  as_of: string;
  window_days: number;
  steps: StepResults[];
}

/** "3 days before due", "on the due date", "7 days after due", "day 1 of each month". */
export function describeTrigger(trigger: Trigger): string {
  if ("day_of_month" in trigger) return `day ${trigger.day_of_month} of each month`;
  const n = trigger.due_offset;
  if (n === 0) return "on the due date";
  const days = Math.abs(n) === 1 ? "1 day" : `${Math.abs(n)} days`;
  return n < 0 ? `${days} before due` : `${days} after due`;
}

/** How the exclusion reason reads ("pending_promise" → "pending promise"). */
export function describeReason(reason: string): string {
  return reason.replaceAll("_", " ");
}
