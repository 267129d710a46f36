// How a message's state reads in the customer screen and the outbox list.
import type { MessageState, OutboxMessage } from "../../lib/api";

export const STATE_LABELS: Record<MessageState, string> = {
  queued: "Queued",
  sending: "Sending",
  sent: "Sent",
  failed: "Failed",
  uncertain: "Uncertain",
  received: "Received",
};

/** Failed and uncertain messages wait for the person: Resend, or (uncertain) Mark as sent. */
export const needsDecision = (message: OutboxMessage): boolean =>
  message.state === "failed" || message.state === "uncertain";
