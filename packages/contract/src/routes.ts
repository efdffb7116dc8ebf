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
import { assetIdParams, assetListResponse, assetSchema, historyQuery, historyResponse, tradingPairsResponse } from './markets.ts';
import { markedCount, notification, notificationList, notificationListQuery, unreadCount } from './notifications.ts';
import { createOrderBody, listOrdersQuery, orderIdParams, orderPage, orderSchema } from './orders.ts';
import { createDepositRequest, deposit, depositList, depositListQuery, devCompleteDepositRequest } from './payments.ts';
import { polHistory, polHistoryQuery, polInclusionProof, polProofQuery, polPublication } from './pol.ts';
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
import { exportTransactionsQuery, listTransactionsQuery, transactionPage } from './transactions.ts';
import { createTransferRequest, transfer, transferList, transferListQuery } from './transfers.ts';
import { balancesResponse, reconciliationResponse } from './wallet.ts';
import { createWithdrawalRequest, withdrawal, withdrawalList, withdrawalListQuery } from './withdrawals.ts';

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
  },
  orders: {
    place: { method: 'POST', path: '/api/orders', body: createOrderBody, response: { 201: orderSchema, 200: orderSchema } },
    list: { method: 'GET', path: '/api/orders', query: listOrdersQuery, response: { 200: orderPage } },
    get: { method: 'GET', path: '/api/orders/:id', params: orderIdParams, response: { 200: orderSchema } },
    cancel: { method: 'DELETE', path: '/api/orders/:id', params: orderIdParams, response: { 200: orderSchema } },
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
    cancelWithdrawal: { method: 'POST', path: '/api/wallet/withdrawals/:id/cancel', params: idParams, response: { 200: withdrawal } },
    createTransfer: { method: 'POST', path: '/api/wallet/transfers', body: createTransferRequest, response: { 201: transfer } },
    transfers: { method: 'GET', path: '/api/wallet/transfers', query: transferListQuery, response: { 200: transferList } },
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
  },
  alerts: {
    list: { method: 'GET', path: '/api/alerts', response: { 200: alertList } },
    create: { method: 'POST', path: '/api/alerts', body: createAlertRequest, response: { 201: priceAlert } },
    update: { method: 'PATCH', path: '/api/alerts/:id', params: idParams, body: updateAlertRequest, response: { 200: priceAlert } },
    remove: { method: 'DELETE', path: '/api/alerts/:id', params: idParams, response: { 204: noContent } },
  },
  pol: {
    publication: { method: 'GET', path: '/api/proof-of-liabilities', response: { 200: polPublication } },
    history: { method: 'GET', path: '/api/proof-of-liabilities/history', query: polHistoryQuery, response: { 200: polHistory } },
    myProof: { method: 'GET', path: '/api/proof-of-liabilities/my-proof', query: polProofQuery, response: { 200: polInclusionProof } },
  },
  admin: {
    users: { method: 'GET', path: '/api/admin/users', query: adminUserQuery, response: { 200: adminUserList } },
    user: { method: 'GET', path: '/api/admin/users/:id', params: idParams, response: { 200: adminUserDetail } },
    suspendUser: { method: 'POST', path: '/api/admin/users/:id/suspend', params: idParams, body: reasonRequest, response: { 200: adminActionResult } },
    unsuspendUser: { method: 'POST', path: '/api/admin/users/:id/unsuspend', params: idParams, response: { 200: adminActionResult } },
    forceLogout: { method: 'POST', path: '/api/admin/users/:id/force-logout', params: idParams, response: { 200: adminActionResult } },
    freezeUser: { method: 'POST', path: '/api/admin/users/:id/freeze', params: idParams, body: reasonRequest, response: { 200: adminActionResult } },
    unfreezeUser: { method: 'POST', path: '/api/admin/users/:id/unfreeze', params: idParams, body: reasonRequest, response: { 200: adminActionResult } },
    withdrawals: { method: 'GET', path: '/api/admin/withdrawals', query: adminWithdrawalQuery, response: { 200: adminWithdrawalList } },
    approveWithdrawal: { method: 'POST', path: '/api/admin/withdrawals/:id/approve', params: idParams, response: { 200: adminWithdrawal } },
    rejectWithdrawal: { method: 'POST', path: '/api/admin/withdrawals/:id/reject', params: idParams, body: reasonRequest, response: { 200: adminWithdrawal } },
    completeWithdrawal: {
      method: 'POST',
      path: '/api/admin/withdrawals/:id/complete',
      params: idParams,
      body: completeWithdrawalRequest,
      response: { 200: adminWithdrawal },
    },
    deposits: { method: 'GET', path: '/api/admin/deposits', query: adminDepositQuery, response: { 200: adminDepositList } },
    resolveDeposit: { method: 'POST', path: '/api/admin/deposits/:id/resolve', params: idParams, body: resolveDepositRequest, response: { 200: adminDeposit } },
    stats: { method: 'GET', path: '/api/admin/stats', response: { 200: platformStats } },
    audit: { method: 'GET', path: '/api/admin/audit', query: auditQuery, response: { 200: auditList } },
    announce: { method: 'POST', path: '/api/admin/announcements', body: announcementRequest, response: { 201: announcement } },
    announcements: { method: 'GET', path: '/api/admin/announcements', response: { 200: announcementList } },
    reconciliation: { method: 'GET', path: '/api/admin/reconciliation', response: { 200: reconciliationResponse } },
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
