// Typed calls into the Tauri shell (src-tauri/src/commands). Argument names are camelCase here;
// Tauri maps them to the Rust commands' snake_case parameters. Every failure arrives as an
// ApiError with the shell's `kind` (see bindings/CommandError.ts) and, when a value the person
// typed was refused, the `field` the message belongs next to.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { BackupFolderChanged } from "./bindings/BackupFolderChanged";
import type { BackupInfo } from "./bindings/BackupInfo";
import type { BackupSettings } from "./bindings/BackupSettings";
import type { Retention } from "./bindings/Retention";
import type { StoredCharge } from "./bindings/StoredCharge";
import type { WatchedFolderView } from "./bindings/WatchedFolderView";
import type { WatchedOutcome } from "./bindings/WatchedOutcome";
import type { About } from "./bindings/About";
import type { CommandError } from "./bindings/CommandError";
import type { Contact } from "./bindings/Contact";
import type { ContactInput } from "./bindings/ContactInput";
import type { Customer } from "./bindings/Customer";
import type { CustomerDetail } from "./bindings/CustomerDetail";
import type { CustomerEdit } from "./bindings/CustomerEdit";
import type { CustomerFilters } from "./bindings/CustomerFilters";
import type { CustomerListPage } from "./bindings/CustomerListPage";
import type { CustomerSort } from "./bindings/CustomerSort";
import type { DatabaseStatus } from "./bindings/DatabaseStatus";
import type { ExportResult } from "./bindings/ExportResult";
import type { FirstRunChecklist } from "./bindings/FirstRunChecklist";
import type { ImportFile } from "./bindings/ImportFile";
import type { ImportProgressEvent } from "./bindings/ImportProgressEvent";
import type { ImportReport } from "./bindings/ImportReport";
import type { ImportRequest } from "./bindings/ImportRequest";
import type { InvoiceRow } from "./bindings/InvoiceRow";
import type { LastPlace } from "./bindings/LastPlace";
import type { ListFacets } from "./bindings/ListFacets";
import type { ListView } from "./bindings/ListView";
import type { Note } from "./bindings/Note";
import type { OwnerAssignment } from "./bindings/OwnerAssignment";
import type { PaymentForm } from "./bindings/PaymentForm";
import type { PromiseForm } from "./bindings/PromiseForm";
import type { PlanForm } from "./bindings/PlanForm";
import type { ScheduledInstalment } from "./bindings/ScheduledInstalment";
import type { TaskForm } from "./bindings/TaskForm";
import type { Theme } from "./bindings/Theme";
import type { TimelineEntry } from "./bindings/TimelineEntry";
import type { TimelineKind } from "./bindings/TimelineKind";

export type ErrorKind = CommandError["kind"] | "unexpected";

export class ApiError extends Error {
  readonly kind: ErrorKind;
  /** The input the message belongs next to (a refused value), if any. */
  readonly field: string | null;
  constructor(kind: ErrorKind, message: string, field: string | null = null) {
    super(message);
    this.kind = kind;
    this.field = field;
    this.name = "ApiError";
  }
}

function isCommandError(value: unknown): value is CommandError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isCommandError(error)) return new ApiError(error.kind, error.message, error.field ?? null);
  return new ApiError("unexpected", error instanceof Error ? error.message : String(error));
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  }
}

export interface CustomerListArgs {
  search: string | null;
  sort?: CustomerSort;
  filters?: CustomerFilters;
  offset: number;
  limit: number;
}

export interface ExportListArgs {
  search: string | null;
  sort: CustomerSort;
  filters: CustomerFilters;
}

/** "Assign owner…": the list's search and filters (all pages) and the owner as typed. */
export interface ListOwnerArgs {
  search: string | null;
  filters: CustomerFilters;
  owner: string;
}

export const api = {
  databaseStatus: () => call<DatabaseStatus>("database_status"),
  backupNow: () => call<BackupInfo>("backup_now"),
  backupSettings: () => call<BackupSettings>("backup_settings"),
  /** Asks for a folder and moves the backups there; null when the person cancelled. */
  chooseBackupFolder: () => call<BackupFolderChanged | null>("choose_backup_folder"),
  useDefaultBackupFolder: () => call<BackupFolderChanged>("use_default_backup_folder"),
  saveBackupRetention: (retention: Retention) => call<BackupSettings>("save_backup_retention", { retention }),
  listBackups: () => call<BackupInfo[]>("list_backups"),
  /** Restores one of listBackups' files over the shown database (backed up first) and reopens it. */
  restoreBackup: (file: string) => call<DatabaseStatus>("restore_backup", { file }),
  /** The check of a big file, made after it opened, found it damaged: reload the status. */
  watchedFolder: () => call<WatchedFolderView>("watched_folder"),
  /** Asks for a folder and watches it; null when the person cancelled. */
  chooseWatchedFolder: (full: boolean) => call<WatchedFolderView | null>("choose_watched_folder", { full }),
  setWatchedFull: (full: boolean) => call<WatchedFolderView>("set_watched_full", { full }),
  stopWatching: () => call<WatchedFolderView>("stop_watching"),
  /** The files the watched folder took in one pass (imported or rejected). */
  onWatchedImport: (handler: (outcomes: WatchedOutcome[]) => void): Promise<UnlistenFn> =>
    listen<WatchedOutcome[]>("watched-import", (event) => handler(event.payload)),
  onDatabaseDamaged: (handler: () => void): Promise<UnlistenFn> => listen("database-damaged", () => handler()),
  /** What opening the file changed (an upgrade that cleaned names), once per opened file. */
  takeDatabaseNotices: () => call<string[]>("take_database_notices"),
  /** The duebook:// link the app was started with, once; null without one. */
  takeStartLink: () => call<string | null>("take_start_link"),
  /** The customer id a duebook://customer/ID link names; an error says why it names none. */
  customerLinkId: (link: string) => call<number>("customer_link_id", { link }),
  /** A second start of the app was handed a duebook:// link. */
  onOpenLink: (handler: (link: string) => void): Promise<UnlistenFn> =>
    listen<string>("open-link", (event) => handler(event.payload)),
  openDemo: () => call<DatabaseStatus>("open_demo"),
  /** null when the person cancelled the dialog. */
  createDatabase: () => call<DatabaseStatus | null>("create_database"),
  /** null when the person cancelled the dialog. */
  openDatabase: () => call<DatabaseStatus | null>("open_database"),
  listCustomers: (args: CustomerListArgs) => call<CustomerListPage>("list_customers", { ...args }),
  listFacets: () => call<ListFacets>("list_facets"),
  customerDetail: (customerId: number) => call<CustomerDetail>("customer_detail", { customerId }),
  editCustomer: (customerId: number, edit: CustomerEdit) => call<Customer>("edit_customer", { customerId, edit }),
  holdForOwner: (customerId: number, reason: string) => call<null>("hold_for_owner", { customerId, reason }),
  releaseOwnerHold: (customerId: number) => call<null>("release_owner_hold", { customerId }),
  previewListOwner: (args: ListOwnerArgs) => call<OwnerAssignment>("preview_list_owner", { ...args }),
  /** Gives the list as filtered one owner; how many customers changed. */
  assignListOwner: (args: ListOwnerArgs) => call<number>("assign_list_owner", { ...args }),
  addContact: (customerId: number, contact: ContactInput) => call<Contact>("add_contact", { customerId, contact }),
  updateContact: (contactId: number, contact: ContactInput) => call<Contact>("update_contact", { contactId, contact }),
  deleteContact: (contactId: number) => call<null>("delete_contact", { contactId }),
  addNote: (customerId: number, body: string) => call<Note>("add_note", { customerId, body }),
  editNote: (noteId: number, body: string) => call<Note>("edit_note", { noteId, body }),
  setNotePinned: (noteId: number, pinned: boolean) => call<Note>("set_note_pinned", { noteId, pinned }),
  deleteNote: (noteId: number) => call<null>("delete_note", { noteId }),
  addTask: (task: TaskForm) => call<number>("add_task", { task }),
  completeTask: (taskId: number, outcome: string) => call<null>("complete_task", { taskId, outcome }),
  recordPayment: (payment: PaymentForm) => call<number>("record_payment", { payment }),
  addPromise: (promise: PromiseForm) => call<number>("add_promise", { promise }),
  createPaymentPlan: (plan: PlanForm) => call<number>("create_payment_plan", { plan }),
  /** The instalments the plan as typed would have, or the core's reason it cannot be agreed. */
  paymentPlanSchedule: (plan: PlanForm) => call<ScheduledInstalment[]>("payment_plan_schedule", { plan }),
  cancelPaymentPlan: (customerId: number, planId: number) =>
    call<null>("cancel_payment_plan", { customerId, planId }),
  openDispute: (invoiceId: number, reason: string) => call<number>("open_dispute", { invoiceId, reason }),
  resolveDispute: (disputeId: number, resolution: string) => call<null>("resolve_dispute", { disputeId, resolution }),
  customerCharges: (customerId: number) => call<StoredCharge[]>("customer_charges", { customerId }),
  waiveCharge: (customerId: number, chargeId: number, reason: string) =>
    call<boolean>("waive_charge", { customerId, chargeId, reason }),
  customerTimeline: (customerId: number, kinds: TimelineKind[], limit: number) =>
    call<TimelineEntry[]>("customer_timeline", { customerId, kinds, limit }),
  /** "Export CSV" of the list as filtered; null when the person cancelled the save dialog. */
  exportCustomers: (args: ExportListArgs) => call<ExportResult | null>("export_customers", { ...args }),
  exportInvoices: (customerId: number) => call<ExportResult | null>("export_invoices", { customerId }),
  getTheme: () => call<Theme>("get_theme"),
  setTheme: (theme: Theme) => call<null>("set_theme", { theme }),
  getListView: () => call<ListView>("get_list_view"),
  setListView: (view: ListView) => call<null>("set_list_view", { view }),
  /** Where the window was on this file (view and customer), restored at the next start. */
  getLastPlace: () => call<LastPlace>("get_last_place"),
  setLastPlace: (place: LastPlace) => call<null>("set_last_place", { place }),
  /** Help: version, commit and where the files are. */
  about: () => call<About>("about"),
  /** Opens the log folder in the file manager; returns its path. */
  openLogFolder: () => call<string>("open_log_folder"),
  /** "Copy diagnostics": version, system, database size and counts, last log warnings. */
  diagnostics: () => call<string>("diagnostics"),
  /** What the welcome's checklist has done: read from the files, so it survives restarts. */
  firstRunChecklist: () => call<FirstRunChecklist>("first_run_checklist"),
  markListPainted: (uiMs: number) => call<null>("mark_list_painted", { uiMs }),
  /** "Import…": the native file dialog; null when the person cancelled. */
  chooseImportFile: () => call<ImportFile | null>("choose_import_file"),
  /** A dry run: what importing the file would do; nothing is written. */
  previewImport: (request: ImportRequest) => call<ImportReport>("preview_import", { request }),
  runImport: (request: ImportRequest) => call<ImportReport>("run_import", { request }),
  /** Progress of the running preview or import (the shell sends at most ~20 a second). */
  onImportProgress: (handler: (event: ImportProgressEvent) => void): Promise<UnlistenFn> =>
    listen<ImportProgressEvent>("import-progress", (event) => handler(event.payload)),
  /** Another program (the CLI importing, a scheduled run) changed the open database. */
  onDatabaseChanged: (handler: () => void): Promise<UnlistenFn> => listen("db-changed", () => handler()),
};

export type { BackupFolderChanged, BackupInfo, BackupSettings, Retention };
export type { WatchedFolderView, WatchedOutcome };
export type { BackupReason } from "./bindings/BackupReason";
export type { About, FirstRunChecklist, LastPlace };
export type { CommandError, CustomerDetail, CustomerSort, DatabaseStatus, InvoiceRow };
export type { InvoiceOffer } from "./bindings/InvoiceOffer";
export type { PlanForm, ScheduledInstalment };
export type { ImportFile, ImportProgressEvent, ImportReport, ImportRequest };
export type { Contact, ContactInput, Customer, CustomerEdit, CustomerFilters, CustomerListPage };
export type { ExportResult, ListFacets, ListView, Note, Theme, TimelineEntry, TimelineKind };
export type { AgingBucket } from "./bindings/AgingBucket";
export type { Balance } from "./bindings/Balance";
export type { PayHabit } from "./bindings/PayHabit";
export type { PreferredChannel } from "./bindings/PreferredChannel";
export type { CustomerRow } from "./bindings/CustomerRow";
export type { DetectedFormat } from "./bindings/DetectedFormat";
export type { Dispute } from "./bindings/Dispute";
export type { ImportFormat } from "./bindings/ImportFormat";
export type { ImportStage } from "./bindings/ImportStage";
export type { InvoiceChange } from "./bindings/InvoiceChange";
export type { MatchField } from "./bindings/MatchField";
export type { Promise as PromiseRecord } from "./bindings/Promise";
export type { PromiseStatus } from "./bindings/PromiseStatus";
export type { RowIssue } from "./bindings/RowIssue";
export type { SearchMatch } from "./bindings/SearchMatch";
export type { Task } from "./bindings/Task";
export type { TaskKind } from "./bindings/TaskKind";

// Statements of account (src-tauri/src/commands/statements.rs).
import type { BulkResult } from "./bindings/BulkResult";
import type { QueuedStatementEmail } from "./bindings/QueuedStatementEmail";
import type { SavedStatement } from "./bindings/SavedStatement";
import type { StatementPlan } from "./bindings/StatementPlan";
import type { StatementPreview } from "./bindings/StatementPreview";
import type { StatementRequest } from "./bindings/StatementRequest";
import type { StatementsProgressEvent } from "./bindings/StatementsProgressEvent";

export const statementsApi = {
  preview: (request: StatementRequest) => call<StatementPreview>("statement_preview", { request }),
  /** Save as…: null when the person cancelled the dialog. */
  save: (request: StatementRequest) => call<SavedStatement | null>("save_statement", { request }),
  email: (request: StatementRequest) => call<QueuedStatementEmail>("email_statement", { request }),
  plan: (request: StatementRequest) => call<StatementPlan>("plan_statements", { request }),
  /** Save all to a folder: null when the person cancelled the folder dialog. */
  saveAll: (request: StatementRequest) => call<BulkResult | null>("save_all_statements", { request }),
  sendAll: (request: StatementRequest) => call<BulkResult>("send_all_statements", { request }),
  cancel: () => call<null>("cancel_statements"),
  onProgress: (handler: (event: StatementsProgressEvent) => void): Promise<UnlistenFn> =>
    listen<StatementsProgressEvent>("statements-progress", (event) => handler(event.payload)),
};

export type { BulkResult, QueuedStatementEmail, SavedStatement, StatementPlan, StatementPreview, StatementRequest };
export type { StatementsProgressEvent };
export type { CurrencySection } from "./bindings/CurrencySection";
export type { Entry as StatementEntry } from "./bindings/Entry";

// Email: settings, templates, the composer and the outbox (src-tauri/src/commands/mail*.rs).
import type { AccountSettings } from "./bindings/AccountSettings";
import type { AccountView } from "./bindings/AccountView";
import type { CompanyLogo } from "./bindings/CompanyLogo";
import type { CompanyProfile } from "./bindings/CompanyProfile";
import type { ComposeOptions } from "./bindings/ComposeOptions";
import type { ComposePreview } from "./bindings/ComposePreview";
import type { ComposeRequest } from "./bindings/ComposeRequest";
import type { ConnectionTest } from "./bindings/ConnectionTest";
import type { ImapTest } from "./bindings/ImapTest";
import type { DeliveryStatus } from "./bindings/DeliveryStatus";
import type { EmailPreview } from "./bindings/EmailPreview";
import type { EmailSettings } from "./bindings/EmailSettings";
import type { EmailTemplate } from "./bindings/EmailTemplate";
import type { Conversation } from "./bindings/Conversation";
import type { MessageReading } from "./bindings/MessageReading";
import type { OutboxAttention } from "./bindings/OutboxAttention";
import type { OAuthSettings } from "./bindings/OAuthSettings";
import type { OutboxMessage } from "./bindings/OutboxMessage";
import type { PickedFile } from "./bindings/PickedFile";
import type { TemplateLibrary } from "./bindings/TemplateLibrary";
import type { TemplateOptions } from "./bindings/TemplateOptions";
import type { TemplatePreview } from "./bindings/TemplatePreview";

export const mailApi = {
  settings: () => call<EmailSettings>("email_settings"),
  /** `password` null keeps the stored one; it is never sent back. */
  /** `imapPassword`: IMAP's own (null: the stored one, else the SMTP password). */
  saveAccount: (settings: AccountSettings, password: string | null, imapPassword: string | null) =>
    call<AccountView>("save_email_account", { settings, password, imapPassword }),
  removeAccount: () => call<boolean>("remove_email_account"),
  /** Opens the provider's sign-in page in the browser and waits (up to five minutes).
   * `clientSecret` (Google's) goes to the keychain; null keeps the one stored for the same client. */
  signIn: (oauthSettings: OAuthSettings, clientSecret: string | null) =>
    call<AccountView>("sign_in_email_account", { oauthSettings, clientSecret }),
  signOut: () => call<AccountView>("sign_out_email_account"),
  /** The settings as typed; `password` null uses the stored one. Nothing is saved. */
  testAccount: (settings: AccountSettings, password: string | null, sendTestEmail: boolean) =>
    call<ConnectionTest>("test_email_account", { settings, password, sendTestEmail }),
  /** Logs in to the IMAP server as typed and looks at INBOX read-only; nothing is saved. */
  testImap: (settings: AccountSettings, imapPassword: string | null) =>
    call<ImapTest>("test_imap_account", { settings, imapPassword }),
  company: () => call<CompanyProfile>("company_profile"),
  saveCompany: (profile: CompanyProfile) => call<CompanyProfile>("save_company_profile", { profile }),
  /** The native dialog; null when the person cancelled. */
  chooseLogo: () => call<CompanyLogo | null>("choose_company_logo"),
  templates: () => call<TemplateLibrary>("email_templates"),
  templateOptions: (key: string) => call<TemplateOptions>("template_options", { key }),
  saveTemplate: (template: EmailTemplate, options: TemplateOptions) =>
    call<EmailTemplate>("save_email_template", { template, options }),
  resetTemplate: (key: string) => call<EmailTemplate>("reset_email_template", { key }),
  previewTemplate: (template: EmailTemplate, customerId: number) =>
    call<TemplatePreview>("preview_email_template", { template, customerId }),
  composeOptions: (customerId: number) => call<ComposeOptions>("compose_options", { customerId }),
  /** The native dialog; null when the person cancelled. */
  chooseAttachment: () => call<PickedFile | null>("choose_attachment"),
  linkInvoiceFile: (customerId: number, invoiceId: number, path: string) =>
    call<null>("link_invoice_file", { customerId, invoiceId, path }),
  preview: (request: ComposeRequest) => call<ComposePreview>("preview_email", { request }),
  /** The address of the same HTML preview with images from https addresses allowed. */
  loadRemoteImages: (url: string) => call<string>("load_remote_images", { url }),
  send: (request: ComposeRequest) => call<OutboxMessage>("send_email", { request }),
  /** The customer's emails in both directions, as threads (newest first). */
  conversation: (customerId: number) => call<Conversation>("customer_conversation", { customerId }),
  /** One of the customer's messages to read: its text, and its HTML's sandboxed-frame address. */
  readMessage: (customerId: number, messageId: number) => call<MessageReading>("read_message", { customerId, messageId }),
  /** Saves the attachment privately and opens it with the desktop's program; its file name. */
  openAttachment: (customerId: number, attachmentId: number) =>
    call<string>("open_message_attachment", { customerId, attachmentId }),
  resend: (messageId: number) => call<OutboxMessage>("resend_message", { messageId }),
  markSent: (messageId: number) => call<OutboxMessage>("mark_message_sent", { messageId }),
  attention: () => call<OutboxAttention>("outbox_attention"),
  /** Another database is shown: recover interrupted messages and send what is queued. */
  resumeDelivery: () => call<null>("resume_delivery"),
  /** Messages moved (queued, sent, failed …) or background sending started or stopped. */
  onOutboxChanged: (handler: (status: DeliveryStatus) => void): Promise<UnlistenFn> =>
    listen<DeliveryStatus>("outbox-changed", (event) => handler(event.payload)),
  /** Reading replies from the mailbox: how it stands, a sync now, and each sync's end. */
  inboxStatus: () => call<InboxStatus>("inbox_status"),
  checkReplies: () => call<InboxStatus>("check_replies"),
  onInboxSynced: (handler: (status: InboxStatus) => void): Promise<UnlistenFn> =>
    listen<InboxStatus>("inbox-synced", (event) => handler(event.payload)),
};

export type { AccountSettings, AccountView, CompanyLogo, CompanyProfile, ComposeOptions, ComposePreview };
export type { ComposeRequest, ConnectionTest, DeliveryStatus, EmailSettings, EmailTemplate, OutboxAttention };
export type { EmailPreview, OutboxMessage, PickedFile, TemplateLibrary, TemplateOptions, TemplatePreview };
export type { ConnectionProblem } from "./bindings/ConnectionProblem";
export type { Conversation, MessageReading };
export type { ConversationMessage } from "./bindings/ConversationMessage";
export type { ConversationThread } from "./bindings/ConversationThread";
export type { ImapSettings } from "./bindings/ImapSettings";
export type { ImapTest } from "./bindings/ImapTest";
export type { InvoiceCopyChoice } from "./bindings/InvoiceCopyChoice";
export type { MessageState } from "./bindings/MessageState";
export type { ProviderPreset } from "./bindings/ProviderPreset";
export type { OAuthSettings };
export type { Provider } from "./bindings/Provider";
export type { SendVia } from "./bindings/SendVia";
export type { SendingLimits } from "./bindings/SendingLimits";
export type { Security } from "./bindings/Security";
export type { TemplateField } from "./bindings/TemplateField";

// Campaigns and their runs (src-tauri/src/commands/campaigns.rs, src-tauri/src/scheduler.rs).
import type { Campaign } from "./bindings/Campaign";
import type { CampaignPreset } from "./bindings/CampaignPreset";
import type { CampaignResults } from "./bindings/CampaignResults";
import type { NewCampaign } from "./bindings/NewCampaign";
import type { Plan } from "./bindings/Plan";
import type { TemplateChoice } from "./bindings/TemplateChoice";
import type { RunProgress } from "./bindings/RunProgress";
import type { Backlog } from "./bindings/Backlog";
import type { CatchUp } from "./bindings/CatchUp";
import type { CustomerCharges } from "./bindings/CustomerCharges";
import type { StatutoryRate } from "./bindings/StatutoryRate";
import type { Reply } from "./bindings/Reply";
import type { InboxStatus } from "./bindings/InboxStatus";

export const campaignsApi = {
  list: () => call<Campaign[]>("list_campaigns"),
  presets: () => call<CampaignPreset[]>("campaign_presets"),
  templates: () => call<TemplateChoice[]>("campaign_templates"),
  create: (campaign: NewCampaign) => call<number>("create_campaign", { campaign }),
  update: (campaignId: number, campaign: NewCampaign) => call<null>("update_campaign", { campaignId, campaign }),
  setActive: (campaignId: number, active: boolean) => call<null>("set_campaign_active", { campaignId, active }),
  backlog: (campaignId: number) => call<Backlog>("campaign_backlog", { campaignId }),
  activate: (campaignId: number, catchUp: CatchUp | null) => call<null>("activate_campaign", { campaignId, catchUp }),
  plan: (campaignId: number) => call<Plan>("plan_campaign", { campaignId }),
  feesPreview: (campaignId: number, date: string) =>
    call<CustomerCharges[]>("campaign_fees_preview", { campaignId, date }),
  results: (campaignId: number) => call<CampaignResults>("campaign_results", { campaignId }),
  /** The statutory rate campaigns charging "the statutory rate" use; null before it is set. */
  statutoryRate: () => call<StatutoryRate | null>("statutory_rate"),
  saveStatutoryRate: (reference: string, points: string) =>
    call<StatutoryRate>("save_statutory_rate", { reference, points }),
  replyHold: (customerId: number) => call<Reply | null>("reply_hold", { customerId }),
  resumeReminders: (customerId: number) => call<null>("resume_reminders", { customerId }),
  replyPauseDays: () => call<number>("reply_pause_days"),
  setReplyPauseDays: (days: number) => call<number>("set_reply_pause_days", { days }),
  previewMessage: (customerId: number, templateKey: string) =>
    call<EmailPreview>("preview_campaign_message", { customerId, templateKey }),
  startRun: (dryRun: boolean) => call<RunProgress>("start_campaign_run", { dryRun }),
  pauseRun: () => call<null>("pause_campaign_run"),
  resumeRun: () => call<null>("resume_campaign_run"),
  cancelRun: () => call<null>("cancel_campaign_run"),
  runStatus: () => call<RunProgress | null>("campaign_run_status"),
  onRun: (handler: (progress: RunProgress) => void): Promise<UnlistenFn> =>
    listen<RunProgress>("campaign-run", (event) => handler(event.payload)),
};

export type { Backlog, Campaign, CampaignPreset, CampaignResults, CatchUp, InboxStatus, NewCampaign, Plan, Reply, RunProgress, TemplateChoice };
export type { Audience } from "./bindings/Audience";
export type { Escalation } from "./bindings/Escalation";
export type { EventDate } from "./bindings/EventDate";
export type { LateFees } from "./bindings/LateFees";
export type { StatutoryRate } from "./bindings/StatutoryRate";
export type { Window } from "./bindings/Window";
export type { Excluded } from "./bindings/Excluded";
export type { ExclusionReason } from "./bindings/ExclusionReason";
export type { ThanksSkip } from "./bindings/ThanksSkip";
export type { FieldCondition } from "./bindings/FieldCondition";
export type { FieldOp } from "./bindings/FieldOp";
export type { Outcomes } from "./bindings/Outcomes";
export type { PlannedContact } from "./bindings/PlannedContact";
export type { PlannedInvoice } from "./bindings/PlannedInvoice";
export type { Step } from "./bindings/Step";
export type { Offer } from "./bindings/Offer";
export type { StepChannel } from "./bindings/StepChannel";
export type { StepCount } from "./bindings/StepCount";
export type { StepResults } from "./bindings/StepResults";
export type { Trigger } from "./bindings/Trigger";
export type { UsuallyLate } from "./bindings/UsuallyLate";
export type { Variant } from "./bindings/Variant";
export type { VariantResults } from "./bindings/VariantResults";
export type { ChargeTotal } from "./bindings/ChargeTotal";
export type { Delivery } from "./bindings/Delivery";
export type { RunPhase } from "./bindings/RunPhase";

// The Today view's call list (src-tauri/src/commands/call_list.rs).
import type { CallOutcome } from "./bindings/CallOutcome";
import type { CallOutcomeForm } from "./bindings/CallOutcomeForm";
import type { CallRow } from "./bindings/CallRow";
import type { LoggedOutcome } from "./bindings/LoggedOutcome";

export const callListApi = {
  today: () => call<CallRow[]>("call_list"),
  suggestFollowUp: (outcome: CallOutcome, promisedDate: string | null) =>
    call<string | null>("suggest_follow_up", { outcome, promisedDate }),
  logOutcome: (form: CallOutcomeForm) => call<LoggedOutcome>("log_call_outcome", { form }),
  /** null when the person cancelled the save dialog. */
  exportCsv: () => call<ExportResult | null>("export_call_list"),
};

export type { CallOutcome, CallOutcomeForm, CallRow, LoggedOutcome };

// The Reports tab (src-tauri/src/commands/reports.rs).
import type { CurrencyKpis } from "./bindings/CurrencyKpis";
import type { KpiReport } from "./bindings/KpiReport";
import type { ShownTable } from "./bindings/ShownTable";
import type { TrendsReport } from "./bindings/TrendsReport";
import type { AgingInvoice } from "./bindings/AgingInvoice";
import type { CollectedReport } from "./bindings/CollectedReport";
import type { CustomerAgingReport } from "./bindings/CustomerAgingReport";
import type { CustomerAgingRow } from "./bindings/CustomerAgingRow";
import type { FollowUpReport } from "./bindings/FollowUpReport";
import type { ForecastReport } from "./bindings/ForecastReport";
import type { SavedReport } from "./bindings/SavedReport";

export const reportsApi = {
  /** The KPIs of every currency as of `asOf` (YYYY-MM-DD) over the last `days` days. */
  kpis: (asOf: string, days: number) => call<KpiReport>("report_kpis", { asOf, days }),
  /** The KPIs and aging at the last `months` month ends, the last one being `asOf`. */
  trends: (asOf: string, months: number, days: number) => call<TrendsReport>("report_trends", { asOf, months, days }),
  /** null when the person cancelled the save dialog. */
  exportTable: (table: ShownTable) => call<ExportResult | null>("export_report_table", { table }),
  /** Every customer's aging on `asOf`, and the ten most overdue per currency. */
  customerAging: (asOf: string) => call<CustomerAgingReport>("report_customer_aging", { asOf }),
  /** One customer's invoices with something open on `asOf`. */
  agingInvoices: (customerId: number, asOf: string) => call<AgingInvoice[]>("report_aging_invoices", { customerId, asOf }),
  forecast: (asOf: string) => call<ForecastReport>("report_forecast", { asOf }),
  collected: (asOf: string) => call<CollectedReport>("report_collected", { asOf }),
  /** Promises kept and campaign conversion over the last `days` days up to `asOf`. */
  followUp: (asOf: string, days: number) => call<FollowUpReport>("report_follow_up", { asOf, days }),
  /** The tables as one PDF; null when the person cancelled the save dialog. */
  savePdf: (asOf: string, tables: ShownTable[]) => call<SavedReport | null>("save_report_pdf", { asOf, tables }),
};

export type {
  AgingInvoice,
  CollectedReport,
  CurrencyKpis,
  CustomerAgingReport,
  CustomerAgingRow,
  FollowUpReport,
  ForecastReport,
  KpiReport,
  ShownTable,
  TrendsReport,
};

// The import dialog's mapping step and the saved import profiles
// (src-tauri/src/commands/import_mapping.rs, import_profiles.rs).
import type { ColumnMapping } from "./bindings/ColumnMapping";
import type { Field } from "./bindings/Field";
import type { InspectedColumn } from "./bindings/InspectedColumn";
import type { Inspection } from "./bindings/Inspection";
import type { MappedImportRequest } from "./bindings/MappedImportRequest";
import type { Profile as ImportProfile } from "./bindings/Profile";

export const importMappingApi = {
  /** The picked file's columns with samples, its sheets, its layout or profile, a suggested mapping. */
  inspect: (path: string, sheet: string | null) => call<Inspection>("inspect_import", { path, sheet }),
  /** A dry run through the mapping: nothing is written. */
  preview: (request: MappedImportRequest) => call<ImportReport>("preview_mapped_import", { request }),
  /** Imports through the mapping, saving it as a profile first checked when `save_profile` is set. */
  run: (request: MappedImportRequest) => call<ImportReport>("run_mapped_import", { request }),
  listProfiles: () => call<ImportProfile[]>("list_import_profiles"),
  renameProfile: (name: string, newName: string) => call<ImportProfile>("rename_import_profile", { name, newName }),
  deleteProfile: (name: string) => call<null>("delete_import_profile", { name }),
  /** The path written; null when the person cancelled the save dialog. */
  exportProfile: (name: string) => call<string | null>("export_import_profile", { name }),
  /** The profile read from the file; null when the person cancelled the open dialog. */
  importProfile: () => call<ImportProfile | null>("import_import_profile"),
};

export type { ColumnMapping, Field, ImportProfile, InspectedColumn, Inspection, MappedImportRequest };
export type { DateOrder } from "./bindings/DateOrder";
export type { DecimalStyle } from "./bindings/DecimalStyle";
