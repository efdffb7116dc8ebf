import { apiRoutes, type LegalKind, type RouteBody } from '@cryptovault/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '../../lib/apiClient.ts';
import { useApi } from '../../shared/services.ts';

/** Query keys of the legal feature (public documents, the fee schedule, the country check, the user's consent). */
export const legalKeys = {
  all: ['legal'] as const,
  current: ['legal', 'current'] as const,
  document: (kind: LegalKind) => ['legal', 'document', kind] as const,
  version: (kind: LegalKind, version: number) => ['legal', 'document', kind, version] as const,
  fees: ['legal', 'fees'] as const,
  geo: ['legal', 'geo'] as const,
  consent: ['legal', 'consent'] as const,
  admin: ['admin', 'legal'] as const,
};

export const LEGAL_TITLES: Record<LegalKind, string> = { terms: 'Terms of Service', privacy: 'Privacy Notice', risk: 'Risk Disclosure' };

export const legalApi = (api: ApiClient) => ({
  current: () => api.call(apiRoutes.legal.current),
  document: (kind: LegalKind) => api.call(apiRoutes.legal.document, { params: { kind } }),
  version: (kind: LegalKind, version: number) => api.call(apiRoutes.legal.version, { params: { kind, version } }),
  fees: () => api.call(apiRoutes.legal.fees),
  geo: () => api.call(apiRoutes.legal.geo),
  consent: () => api.call(apiRoutes.legal.consent),
  accept: (version: number) => api.call(apiRoutes.legal.accept, { body: { version } }),
  adminList: () => api.call(apiRoutes.legal.adminList),
  publish: (body: RouteBody<typeof apiRoutes.legal.publish>) => api.call(apiRoutes.legal.publish, { body }),
});

export const useCurrentDocuments = () => {
  const api = legalApi(useApi());
  return useQuery({ queryKey: legalKeys.current, queryFn: api.current, staleTime: 60_000 });
};
export const useLegalDocument = (kind: LegalKind) => {
  const api = legalApi(useApi());
  return useQuery({ queryKey: legalKeys.document(kind), queryFn: () => api.document(kind) });
};
export const useLegalVersion = (kind: LegalKind, version: number | null) => {
  const api = legalApi(useApi());
  return useQuery({ queryKey: legalKeys.version(kind, version ?? 0), queryFn: () => api.version(kind, version ?? 0), enabled: version !== null });
};
export const useFeeSchedule = () => {
  const api = legalApi(useApi());
  return useQuery({ queryKey: legalKeys.fees, queryFn: api.fees, staleTime: 60_000 });
};
export const useGeo = () => {
  const api = legalApi(useApi());
  return useQuery({ queryKey: legalKeys.geo, queryFn: api.geo, staleTime: 5 * 60_000 });
};
export const useConsent = (enabled: boolean) => {
  const api = legalApi(useApi());
  return useQuery({ queryKey: legalKeys.consent, queryFn: api.consent, enabled, staleTime: 60_000, refetchInterval: enabled ? 5 * 60_000 : false });
};
export const useAcceptTerms = () => {
  const api = legalApi(useApi());
  const qc = useQueryClient();
  return useMutation({ mutationFn: (version: number) => api.accept(version), onSuccess: (state) => qc.setQueryData(legalKeys.consent, state) });
};
export const useAdminLegal = () => {
  const api = legalApi(useApi());
  return useQuery({ queryKey: legalKeys.admin, queryFn: api.adminList });
};
export const usePublishLegal = () => {
  const api = legalApi(useApi());
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.publish,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: legalKeys.all });
      void qc.invalidateQueries({ queryKey: legalKeys.admin });
    },
  });
};
