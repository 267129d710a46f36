// The aging buckets as the Reports tab names them, in the core's order (views::report::aging).
export const BUCKET_LABELS = ["Current", "1–30 days", "31–60 days", "61–90 days", "Over 90 days"];
