import { z } from 'zod';
import {
  adminActionResult,
  adminDeposit,
  adminDepositList,
  adminDepositQuery,
  adminUserDetail,
  adminUserList,
  adminUserQuery,
  adminWithdrawal,
  adminWithdrawalList,
  adminWithdrawalQuery,
  statsSeries,
  statsSeriesQuery,
  announcement,
  announcementList,
  announcementRequest,
  auditList,
  auditQuery,
  completeWithdrawalRequest,
  platformStats,
  reasonRequest,
  resolveDepositRequest,
} from './admin.ts';
import { apiKey, apiKeyList, createApiKeyRequest, createdApiKey } from './apikeys.ts';
import { alertList, createAlertRequest, priceAlert, updateAlertRequest } from './alerts.ts';
import {
  acceptedResponse,
  authResponse,
  backupCodesResponse,
  backupCodesStatus,
  changePasswordRequest,
  emailOnlyRequest,
  loginRequest,
  okResponse,
  passkeyList,
  passkeyOptionsResponse,
  passkeyRegisterRequest,
  passkeyRegisterResponse,
  resetPasswordRequest,
  securityEventList,
  securityEventsQuery,
  sessionList,
  sessionState,
  setupBeginRequest,
  setupBeginResponse,
  setupCompleteRequest,
  setupCompleteResponse,
  signupRequest,
  socketTokenResponse,
  stepUpRequest,
  stepUpResponse,
  twoFactorEnableRequest,
  twoFactorEnableResponse,
  twoFactorSetupResponse,
  updateProfileRequest,
  userProfile,
  verifyEmailRequest,
} from './auth.ts';
import { idParams } from './common.ts';
import { telegramLinkCode, telegramStatus } from './telegram.ts';
import {
  kycDecisionRequest,
  kycDocumentUpload,
  kycDocumentUploaded,
  kycQueue,
  kycQueueQuery,
  kycReviewDetail,
  kycStatus,
  kycSubmission,
  kycTier1Request,
  kycTier2Request,
} from './kyc.ts';
import {
  acceptTermsRequest,
  adminLegalList,
  consentState,
  feeSchedule,
  geoState,
  legalCurrentList,
  legalDocument,
  legalDocumentPage,
  legalKindParams,
  legalVersionParams,
  publishLegalRequest,
} from './legal.ts';
import {
  assetIdParams,
  assetListResponse,
  assetSchema,
  candlesQuery,
  candlesResponse,
  historyQuery,
  historyResponse,
  tradingPairsResponse,
} from './markets.ts';
import {
  markedCount,
  notification,
  notificationList,
  notificationListQuery,
  notificationPreferences,
  unreadCount,
  updateNotificationPreferences,
} from './notifications.ts';
import { amendOrderBody, createOrderBody, listOrdersQuery, orderIdParams, orderPage, orderSchema } from './orders.ts';
import { createQuoteBody, quoteSchema } from './quotes.ts';
import { createDepositRequest, deposit, depositList, depositListQuery, devCompleteDepositRequest } from './payments.ts';
import { polHistory, polHistoryQuery, polInclusionProof, polProofQuery, polPublication } from './pol.ts';
import { gainsSettings, pnlResponse, taxReportQuery } from './gains.ts';
import { portfolioHistoryQuery, portfolioHistoryResponse, portfolioResponse } from './portfolio.ts';
import {
  addressBookOnlyRequest,
  addressBookOnlyState,
  antiPhishingRequest,
  antiPhishingState,
  createWithdrawalAddressRequest,
  emailedTokenRequest,
  freezeState,
  unfreezeRequest,
  withdrawalAddress,
  withdrawalAddressBook,
} from './security.ts';
import { recurringBuy, recurringBuyList, recurringBuyRequest, recurringRunList, recurringRunsQuery } from './recurring.ts';
import { exportTransactionsQuery, listTransactionsQuery, transactionPage } from './transactions.ts';
import { createTransferRequest, transfer, transferList, transferListQuery } from './transfers.ts';
import {
  ANY_OPERATOR,
  adjustment,
  adjustmentList,
  adjustmentQuery,
  operatorAccount,
  operatorList,
  operatorQuery,
  proposeAdjustmentRequest,
  type RouteRole,
  rejectAdjustmentRequest,
  setOperatorRolesRequest,
} from './roles.ts';
import { balancesResponse, reconciliationResponse } from './wallet.ts';
import {
  adminSupportQuery,
  adminSupportThread,
  adminSupportTicketList,
  attachmentAccess,
  attachmentParams,
  contactRequest,
  contactResponse,
  createTicketRequest,
  internalNoteRequest,
  operatorReplyRequest,
  replyRequest,
  supportThread,
  supportTicketList,
  supportAttachment,
  supportTicketQuery,
  uploadAttachmentRequest,
} from './support.ts';
import { watchlistItem, watchlistParams, watchlistResponse } from './watchlist.ts';
import { createWithdrawalRequest, withdrawal, withdrawalAssetList, withdrawalList, withdrawalListQuery } from './withdrawals.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One HTTP route: the API registers `path` with these schemas (apps/api/src/http/route-table.ts) and the web calls it
 * with `api.call(route, …)` (apps/web/src/lib/apiClient.ts), so a path, a method or a shape cannot drift between them.
 * `response` holds the success answers only (status → body); error answers are the common error body.
 */
export interface RouteDef {
  readonly method: HttpMethod;
  /** Fastify syntax: `:name` segments are filled from `params`. */
  readonly path: string;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  readonly response: { readonly [status: number]: z.ZodType };
  /**
   * Operator routes (every `/api/admin/*` path must have one): the operator role(s) that may call it; a superadmin
   * may call them all. Enforced by the API for every route in one place (apps/api/src/http/route-roles.ts), and
   * read by the web console to hide what the operator cannot do (`mayCall`, roles.ts).
   */
  readonly role?: RouteRole;
}

function defineRoutes<const T extends Record<string, Record<string, RouteDef>>>(table: T): T {
  return table;
}

/** An answer without a body (204). */
const noContent = z.null();

/** Every route the web app calls, plus the other JSON routes of the API's modules (not ops, webhooks or dev tooling). */
export const apiRoutes = defineRoutes({
  auth: {
    session: { method: 'GET', path: '/api/auth/session', response: { 200: sessionState } },
    signup: { method: 'POST', path: '/api/auth/signup', body: signupRequest, response: { 201: acceptedResponse } },
    verifyEmail: { method: 'POST', path: '/api/auth/verify-email', body: verifyEmailRequest, response: { 200: authResponse } },
    resendVerification: { method: 'POST', path: '/api/auth/resend-verification', body: emailOnlyRequest, response: { 202: acceptedResponse } },
    login: { method: 'POST', path: '/api/auth/login', body: loginRequest, response: { 200: authResponse } },
    logout: { method: 'POST', path: '/api/auth/logout', response: { 200: okResponse } },
    logoutAll: { method: 'POST', path: '/api/auth/logout-all', response: { 200: okResponse } },
    logoutOthers: { method: 'POST', path: '/api/auth/logout-others', response: { 200: okResponse } },
    forgotPassword: { method: 'POST', path: '/api/auth/forgot-password', body: emailOnlyRequest, response: { 202: acceptedResponse } },
    resetPassword: { method: 'POST', path: '/api/auth/reset-password', body: resetPasswordRequest, response: { 200: okResponse } },
    me: { method: 'GET', path: '/api/auth/me', response: { 200: userProfile } },
    updateMe: { method: 'PATCH', path: '/api/auth/me', body: updateProfileRequest, response: { 200: userProfile } },
    changePassword: { method: 'POST', path: '/api/auth/change-password', body: changePasswordRequest, response: { 200: okResponse } },
    stepUp: { method: 'POST', path: '/api/auth/step-up', body: stepUpRequest, response: { 200: stepUpResponse } },
    stepUpPasskeyOptions: { method: 'POST', path: '/api/auth/step-up/passkey-options', response: { 200: passkeyOptionsResponse } },
    twoFactorSetup: { method: 'POST', path: '/api/auth/2fa/setup', response: { 200: twoFactorSetupResponse } },
    twoFactorEnable: { method: 'POST', path: '/api/auth/2fa/enable', body: twoFactorEnableRequest, response: { 200: twoFactorEnableResponse } },
    twoFactorDisable: { method: 'POST', path: '/api/auth/2fa/disable', response: { 200: okResponse } },
    passkeys: { method: 'GET', path: '/api/auth/passkeys', response: { 200: passkeyList } },
    passkeyRegistrationOptions: { method: 'POST', path: '/api/auth/passkeys/registration-options', response: { 200: passkeyOptionsResponse } },
    registerPasskey: { method: 'POST', path: '/api/auth/passkeys', body: passkeyRegisterRequest, response: { 201: passkeyRegisterResponse } },
    removePasskey: { method: 'DELETE', path: '/api/auth/passkeys/:id', params: idParams, response: { 200: okResponse } },
    backupCodes: { method: 'GET', path: '/api/auth/backup-codes', response: { 200: backupCodesStatus } },
    regenerateBackupCodes: { method: 'POST', path: '/api/auth/backup-codes/regenerate', response: { 200: backupCodesResponse } },
    securityEvents: { method: 'GET', path: '/api/auth/security-events', query: securityEventsQuery, response: { 200: securityEventList } },
    sessions: { method: 'GET', path: '/api/auth/sessions', response: { 200: sessionList } },
    revokeSession: { method: 'DELETE', path: '/api/auth/sessions/:id', params: idParams, response: { 200: okResponse } },
    socketToken: { method: 'POST', path: '/api/auth/socket-token', response: { 200: socketTokenResponse } },
  },
  setup: {
    begin: { method: 'POST', path: '/api/setup/begin', body: setupBeginRequest, response: { 200: setupBeginResponse } },
    complete: { method: 'POST', path: '/api/setup/complete', body: setupCompleteRequest, response: { 201: setupCompleteResponse } },
  },
  markets: {
    assets: { method: 'GET', path: '/api/crypto', response: { 200: assetListResponse } },
    tradingPairs: { method: 'GET', path: '/api/crypto/trading-pairs', response: { 200: tradingPairsResponse } },
    asset: { method: 'GET', path: '/api/crypto/:id', params: assetIdParams, response: { 200: assetSchema } },
    history: { method: 'GET', path: '/api/crypto/:id/history', params: assetIdParams, query: historyQuery, response: { 200: historyResponse } },
    candles: { method: 'GET', path: '/api/crypto/:id/candles', params: assetIdParams, query: candlesQuery, response: { 200: candlesResponse } },
  },
  orders: {
    place: { method: 'POST', path: '/api/orders', body: createOrderBody, response: { 201: orderSchema, 200: orderSchema } },
    list: { method: 'GET', path: '/api/orders', query: listOrdersQuery, response: { 200: orderPage } },
    get: { method: 'GET', path: '/api/orders/:id', params: orderIdParams, response: { 200: orderSchema } },
    cancel: { method: 'DELETE', path: '/api/orders/:id', params: orderIdParams, response: { 200: orderSchema } },
    amend: { method: 'PATCH', path: '/api/orders/:id', params: orderIdParams, body: amendOrderBody, response: { 200: orderSchema } },
    /** What a market order would do now (a firm quote for one order, honoured until it expires). */
    quote: { method: 'POST', path: '/api/quotes', body: createQuoteBody, response: { 201: quoteSchema } },
  },
  wallet: {
    balances: { method: 'GET', path: '/api/wallet/balances', response: { 200: balancesResponse } },
    createDeposit: { method: 'POST', path: '/api/wallet/deposits', body: createDepositRequest, response: { 201: deposit, 200: deposit } },
    deposits: { method: 'GET', path: '/api/wallet/deposits', query: depositListQuery, response: { 200: depositList } },
    deposit: { method: 'GET', path: '/api/wallet/deposits/:id', params: idParams, response: { 200: deposit } },
    devCompleteDeposit: {
      method: 'POST',
      path: '/api/dev/deposits/:id/complete',
      params: idParams,
      body: devCompleteDepositRequest,
      response: { 200: deposit },
    },
    createWithdrawal: { method: 'POST', path: '/api/wallet/withdrawals', body: createWithdrawalRequest, response: { 201: withdrawal } },
    withdrawals: { method: 'GET', path: '/api/wallet/withdrawals', query: withdrawalListQuery, response: { 200: withdrawalList } },
    withdrawalAssets: { method: 'GET', path: '/api/wallet/withdrawal-assets', response: { 200: withdrawalAssetList } },
    withdrawal: { method: 'GET', path: '/api/wallet/withdrawals/:id', params: idParams, response: { 200: withdrawal } },
    cancelWithdrawal: { method: 'POST', path: '/api/wallet/withdrawals/:id/cancel', params: idParams, response: { 200: withdrawal } },
    createTransfer: { method: 'POST', path: '/api/wallet/transfers', body: createTransferRequest, response: { 201: transfer } },
    transfers: { method: 'GET', path: '/api/wallet/transfers', query: transferListQuery, response: { 200: transferList } },
    transfer: { method: 'GET', path: '/api/wallet/transfers/:id', params: idParams, response: { 200: transfer } },
  },
  security: {
    addressBook: { method: 'GET', path: '/api/wallet/withdrawal-addresses', response: { 200: withdrawalAddressBook } },
    addAddress: { method: 'POST', path: '/api/wallet/withdrawal-addresses', body: createWithdrawalAddressRequest, response: { 201: withdrawalAddress } },
    confirmAddress: { method: 'POST', path: '/api/wallet/withdrawal-addresses/confirm', body: emailedTokenRequest, response: { 200: withdrawalAddress } },
    removeAddress: { method: 'DELETE', path: '/api/wallet/withdrawal-addresses/:id', params: idParams, response: { 200: okResponse } },
    setAddressBookOnly: {
      method: 'PUT',
      path: '/api/wallet/withdrawal-addresses/address-book-only',
      body: addressBookOnlyRequest,
      response: { 200: addressBookOnlyState },
    },
    freeze: { method: 'POST', path: '/api/security/freeze', body: emailedTokenRequest, response: { 200: freezeState } },
    requestUnfreeze: { method: 'POST', path: '/api/security/unfreeze/request', response: { 202: acceptedResponse } },
    unfreeze: { method: 'POST', path: '/api/security/unfreeze', body: unfreezeRequest, response: { 200: freezeState } },
    antiPhishing: { method: 'GET', path: '/api/security/anti-phishing', response: { 200: antiPhishingState } },
    setAntiPhishing: { method: 'PUT', path: '/api/security/anti-phishing', body: antiPhishingRequest, response: { 200: antiPhishingState } },
  },
  portfolio: {
    get: { method: 'GET', path: '/api/portfolio', response: { 200: portfolioResponse } },
    history: { method: 'GET', path: '/api/portfolio/history', query: portfolioHistoryQuery, response: { 200: portfolioHistoryResponse } },
  },
  /** Realised gains and the yearly tax report (issue 22; docs/tax-report.md). */
  gains: {
    settings: { method: 'GET', path: '/api/gains/settings', response: { 200: gainsSettings } },
    setSettings: { method: 'PUT', path: '/api/gains/settings', body: gainsSettings, response: { 200: gainsSettings } },
    pnl: { method: 'GET', path: '/api/gains/pnl', response: { 200: pnlResponse } },
    /** CSV or PDF download (streamed): the web reads the raw response, so no response schema. */
    report: { method: 'GET', path: '/api/gains/report', query: taxReportQuery, response: {} },
  },
  transactions: {
    list: { method: 'GET', path: '/api/transactions', query: listTransactionsQuery, response: { 200: transactionPage } },
    /** CSV or JSON download: the web reads the raw response (api.raw), so no response schema. */
    export: { method: 'GET', path: '/api/transactions/export', query: exportTransactionsQuery, response: {} },
  },
  notifications: {
    list: { method: 'GET', path: '/api/notifications', query: notificationListQuery, response: { 200: notificationList } },
    unreadCount: { method: 'GET', path: '/api/notifications/unread-count', response: { 200: unreadCount } },
    markRead: { method: 'POST', path: '/api/notifications/:id/read', params: idParams, response: { 200: notification } },
    markAllRead: { method: 'POST', path: '/api/notifications/read-all', response: { 200: markedCount } },
    preferences: { method: 'GET', path: '/api/notifications/preferences', response: { 200: notificationPreferences } },
    setPreferences: { method: 'PUT', path: '/api/notifications/preferences', body: updateNotificationPreferences, response: { 200: notificationPreferences } },
  },
  alerts: {
    list: { method: 'GET', path: '/api/alerts', response: { 200: alertList } },
    create: { method: 'POST', path: '/api/alerts', body: createAlertRequest, response: { 201: priceAlert } },
    update: { method: 'PATCH', path: '/api/alerts/:id', params: idParams, body: updateAlertRequest, response: { 200: priceAlert } },
    remove: { method: 'DELETE', path: '/api/alerts/:id', params: idParams, response: { 204: noContent } },
  },
  watchlist: {
    list: { method: 'GET', path: '/api/watchlist', response: { 200: watchlistResponse } },
    /** Idempotent: starring a starred asset answers the existing star. */
    add: { method: 'PUT', path: '/api/watchlist/:assetId', params: watchlistParams, response: { 200: watchlistItem } },
    /** Idempotent: removing an asset that is not starred is not an error. */
    remove: { method: 'DELETE', path: '/api/watchlist/:assetId', params: watchlistParams, response: { 204: noContent } },
  },
  support: {
    /** The public contact form: a ticket for operators and an acknowledgement email (rate-limited per address and email). */
    contact: { method: 'POST', path: '/api/support/contact', body: contactRequest, response: { 202: contactResponse } },
    tickets: { method: 'GET', path: '/api/support/tickets', query: supportTicketQuery, response: { 200: supportTicketList } },
    create: { method: 'POST', path: '/api/support/tickets', body: createTicketRequest, response: { 201: supportThread } },
    /** Another user's ticket is a 404. Internal notes are never in it. */
    ticket: { method: 'GET', path: '/api/support/tickets/:id', params: idParams, response: { 200: supportThread } },
    reply: { method: 'POST', path: '/api/support/tickets/:id/messages', params: idParams, body: replyRequest, response: { 201: supportThread } },
    close: { method: 'POST', path: '/api/support/tickets/:id/close', params: idParams, response: { 200: supportThread } },
    /** A file to send with a message (JPEG, PNG or PDF by its bytes; 415 otherwise). */
    upload: { method: 'POST', path: '/api/support/attachments', body: uploadAttachmentRequest, response: { 201: supportAttachment } },
    attachment: {
      method: 'GET',
      path: '/api/support/tickets/:id/attachments/:attachmentId',
      params: attachmentParams,
      response: { 200: attachmentAccess },
    },
    /** Operators (role support): oldest waiting first. */
    queue: { method: 'GET', path: '/api/admin/support/tickets', role: 'support', query: adminSupportQuery, response: { 200: adminSupportTicketList } },
    adminTicket: { method: 'GET', path: '/api/admin/support/tickets/:id', role: 'support', params: idParams, response: { 200: adminSupportThread } },
    adminReply: {
      method: 'POST',
      path: '/api/admin/support/tickets/:id/replies',
      role: 'support',
      params: idParams,
      body: operatorReplyRequest,
      response: { 201: adminSupportThread },
    },
    adminNote: {
      method: 'POST',
      path: '/api/admin/support/tickets/:id/notes',
      role: 'support',
      params: idParams,
      body: internalNoteRequest,
      response: { 201: adminSupportThread },
    },
    assign: { method: 'POST', path: '/api/admin/support/tickets/:id/assign', role: 'support', params: idParams, response: { 200: adminSupportThread } },
    adminClose: { method: 'POST', path: '/api/admin/support/tickets/:id/close', role: 'support', params: idParams, response: { 200: adminSupportThread } },
    adminAttachment: {
      method: 'GET',
      path: '/api/admin/support/tickets/:id/attachments/:attachmentId',
      role: 'support',
      params: attachmentParams,
      response: { 200: attachmentAccess },
    },
  },
  pol: {
    publication: { method: 'GET', path: '/api/proof-of-liabilities', response: { 200: polPublication } },
    history: { method: 'GET', path: '/api/proof-of-liabilities/history', query: polHistoryQuery, response: { 200: polHistory } },
    myProof: { method: 'GET', path: '/api/proof-of-liabilities/my-proof', query: polProofQuery, response: { 200: polInclusionProof } },
  },
  /** API keys (docs/api-keys.md): session only (a key cannot manage keys); creation needs a step-up. */
  apiKeys: {
    list: { method: 'GET', path: '/api/api-keys', response: { 200: apiKeyList } },
    create: { method: 'POST', path: '/api/api-keys', body: createApiKeyRequest, response: { 201: createdApiKey } },
    revoke: { method: 'DELETE', path: '/api/api-keys/:id', params: idParams, response: { 200: apiKey } },
  },
  kyc: {
    /** The signed-in user's tier, limits with usage, next tier and latest submission. */
    status: { method: 'GET', path: '/api/kyc', response: { 200: kycStatus } },
    submitTier1: { method: 'POST', path: '/api/kyc/tier1', body: kycTier1Request, response: { 201: kycSubmission } },
    /** One file (identity document or selfie) before the tier-2 submission names it. */
    uploadDocument: { method: 'POST', path: '/api/kyc/documents', body: kycDocumentUpload, response: { 201: kycDocumentUploaded } },
    submitTier2: { method: 'POST', path: '/api/kyc/tier2', body: kycTier2Request, response: { 201: kycSubmission } },
    /** Operators (role: compliance): the review queue, one submission with signed document links, a decision. */
    queue: { method: 'GET', path: '/api/admin/kyc', role: 'compliance', query: kycQueueQuery, response: { 200: kycQueue } },
    review: { method: 'GET', path: '/api/admin/kyc/:id', role: 'compliance', params: idParams, response: { 200: kycReviewDetail } },
    decide: {
      method: 'POST',
      path: '/api/admin/kyc/:id/decision',
      role: 'compliance',
      params: idParams,
      body: kycDecisionRequest,
      response: { 200: kycReviewDetail },
    },
  },
  /** Recurring buys (issue 22): a USD amount of an asset daily, weekly or monthly; see recurring.ts. */
  recurringBuys: {
    list: { method: 'GET', path: '/api/recurring-buys', response: { 200: recurringBuyList } },
    create: { method: 'POST', path: '/api/recurring-buys', body: recurringBuyRequest, response: { 201: recurringBuy } },
    get: { method: 'GET', path: '/api/recurring-buys/:id', params: idParams, response: { 200: recurringBuy } },
    update: { method: 'PATCH', path: '/api/recurring-buys/:id', params: idParams, body: recurringBuyRequest, response: { 200: recurringBuy } },
    pause: { method: 'POST', path: '/api/recurring-buys/:id/pause', params: idParams, response: { 200: recurringBuy } },
    resume: { method: 'POST', path: '/api/recurring-buys/:id/resume', params: idParams, response: { 200: recurringBuy } },
    remove: { method: 'DELETE', path: '/api/recurring-buys/:id', params: idParams, response: { 204: noContent } },
    runs: { method: 'GET', path: '/api/recurring-buys/:id/runs', params: idParams, query: recurringRunsQuery, response: { 200: recurringRunList } },
  },
  admin: {
    users: { method: 'GET', path: '/api/admin/users', role: ANY_OPERATOR, query: adminUserQuery, response: { 200: adminUserList } },
    user: { method: 'GET', path: '/api/admin/users/:id', role: ANY_OPERATOR, params: idParams, response: { 200: adminUserDetail } },
    suspendUser: {
      method: 'POST',
      path: '/api/admin/users/:id/suspend',
      role: 'compliance',
      params: idParams,
      body: reasonRequest,
      response: { 200: adminActionResult },
    },
    unsuspendUser: { method: 'POST', path: '/api/admin/users/:id/unsuspend', role: 'compliance', params: idParams, response: { 200: adminActionResult } },
    forceLogout: {
      method: 'POST',
      path: '/api/admin/users/:id/force-logout',
      role: ['support', 'compliance'],
      params: idParams,
      response: { 200: adminActionResult },
    },
    freezeUser: {
      method: 'POST',
      path: '/api/admin/users/:id/freeze',
      role: 'compliance',
      params: idParams,
      body: reasonRequest,
      response: { 200: adminActionResult },
    },
    unfreezeUser: {
      method: 'POST',
      path: '/api/admin/users/:id/unfreeze',
      role: 'compliance',
      params: idParams,
      body: reasonRequest,
      response: { 200: adminActionResult },
    },
    withdrawals: { method: 'GET', path: '/api/admin/withdrawals', role: 'finance', query: adminWithdrawalQuery, response: { 200: adminWithdrawalList } },
    approveWithdrawal: { method: 'POST', path: '/api/admin/withdrawals/:id/approve', role: 'finance', params: idParams, response: { 200: adminWithdrawal } },
    rejectWithdrawal: {
      method: 'POST',
      path: '/api/admin/withdrawals/:id/reject',
      role: 'finance',
      params: idParams,
      body: reasonRequest,
      response: { 200: adminWithdrawal },
    },
    completeWithdrawal: {
      method: 'POST',
      path: '/api/admin/withdrawals/:id/complete',
      role: 'finance',
      params: idParams,
      body: completeWithdrawalRequest,
      response: { 200: adminWithdrawal },
    },
    deposits: { method: 'GET', path: '/api/admin/deposits', role: 'finance', query: adminDepositQuery, response: { 200: adminDepositList } },
    resolveDeposit: {
      method: 'POST',
      path: '/api/admin/deposits/:id/resolve',
      role: 'finance',
      params: idParams,
      body: resolveDepositRequest,
      response: { 200: adminDeposit },
    },
    stats: { method: 'GET', path: '/api/admin/stats', role: ANY_OPERATOR, response: { 200: platformStats } },
    statsSeries: { method: 'GET', path: '/api/admin/stats/series', role: ANY_OPERATOR, query: statsSeriesQuery, response: { 200: statsSeries } },
    audit: { method: 'GET', path: '/api/admin/audit', role: 'compliance', query: auditQuery, response: { 200: auditList } },
    announce: { method: 'POST', path: '/api/admin/announcements', role: 'support', body: announcementRequest, response: { 201: announcement } },
    announcements: { method: 'GET', path: '/api/admin/announcements', role: 'support', response: { 200: announcementList } },
    reconciliation: { method: 'GET', path: '/api/admin/reconciliation', role: 'finance', response: { 200: reconciliationResponse } },
  },
  /** Issue 21: operator roles (superadmin) and maker-checker balance adjustments (finance). */
  operators: {
    list: { method: 'GET', path: '/api/admin/operators', role: 'superadmin', query: operatorQuery, response: { 200: operatorList } },
    setRoles: {
      method: 'PUT',
      path: '/api/admin/operators/:id/roles',
      role: 'superadmin',
      params: idParams,
      body: setOperatorRolesRequest,
      response: { 200: operatorAccount },
    },
    adjustments: { method: 'GET', path: '/api/admin/adjustments', role: 'finance', query: adjustmentQuery, response: { 200: adjustmentList } },
    proposeAdjustment: { method: 'POST', path: '/api/admin/adjustments', role: 'finance', body: proposeAdjustmentRequest, response: { 201: adjustment } },
    approveAdjustment: { method: 'POST', path: '/api/admin/adjustments/:id/approve', role: 'finance', params: idParams, response: { 200: adjustment } },
    rejectAdjustment: {
      method: 'POST',
      path: '/api/admin/adjustments/:id/reject',
      role: 'finance',
      params: idParams,
      body: rejectAdjustmentRequest,
      response: { 200: adjustment },
    },
  },
  /** Legal documents, consent, the fee schedule and the country check (issue 21; apps/api/src/modules/legal). */
  legal: {
    current: { method: 'GET', path: '/api/legal/documents', response: { 200: legalCurrentList } },
    document: { method: 'GET', path: '/api/legal/documents/:kind', params: legalKindParams, response: { 200: legalDocumentPage } },
    version: { method: 'GET', path: '/api/legal/documents/:kind/versions/:version', params: legalVersionParams, response: { 200: legalDocument } },
    fees: { method: 'GET', path: '/api/legal/fees', response: { 200: feeSchedule } },
    geo: { method: 'GET', path: '/api/legal/geo', response: { 200: geoState } },
    consent: { method: 'GET', path: '/api/legal/consent', response: { 200: consentState } },
    accept: { method: 'POST', path: '/api/legal/consent', body: acceptTermsRequest, response: { 200: consentState } },
    adminList: { method: 'GET', path: '/api/admin/legal/documents', role: 'compliance', response: { 200: adminLegalList } },
    publish: { method: 'POST', path: '/api/admin/legal/documents', role: 'compliance', body: publishLegalRequest, response: { 201: legalDocument } },
  },
  /** The Telegram operations bot, operator side (docs/operations.md#telegram-operations-bot). */
  telegram: {
    status: { method: 'GET', path: '/api/admin/telegram', role: ANY_OPERATOR, response: { 200: telegramStatus } },
    linkCode: { method: 'POST', path: '/api/admin/telegram/link-code', role: ANY_OPERATOR, response: { 201: telegramLinkCode } },
    unlink: { method: 'DELETE', path: '/api/admin/telegram/link', role: ANY_OPERATOR, response: { 200: telegramStatus } },
  },
});

export type ApiRoutes = typeof apiRoutes;

type SchemaAt<R, K extends string> = R extends { readonly [P in K]: infer S extends z.ZodType } ? S : undefined;

/** What the client sends in the path (`:id` …), as the route's params schema accepts it. */
export type RouteParams<R extends RouteDef> = R extends { params: infer S extends z.ZodType } ? z.input<S> : undefined;
/** The query string (before coercion and defaults). */
export type RouteQuery<R extends RouteDef> = R extends { query: infer S extends z.ZodType } ? z.input<S> : undefined;
/** The JSON body the client sends. */
export type RouteBody<R extends RouteDef> = R extends { body: infer S extends z.ZodType } ? z.input<S> : undefined;
/** The success answer the client receives: a 204 (z.null()) reads as undefined. */
export type RouteResponse<R extends RouteDef> = {
  [S in keyof R['response']]: R['response'][S] extends z.ZodNull ? undefined : z.output<R['response'][S]>;
}[keyof R['response']];
/** The schemas of one route, by Fastify's names (undefined where the route has none). */
export type RouteSchemas<R extends RouteDef> = {
  params: SchemaAt<R, 'params'>;
  querystring: SchemaAt<R, 'query'>;
  body: SchemaAt<R, 'body'>;
  response: R['response'];
};

/** `/api/orders/:id` + `{ id }` → `/api/orders/<id>` (each value URI-encoded). */
export function routePath(path: string, params: Record<string, unknown> | undefined): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    const v = params?.[name];
    if (v === undefined || v === null || v === '') throw new Error(`missing path parameter ${name} for ${path}`);
    return encodeURIComponent(String(v));
  });
}
