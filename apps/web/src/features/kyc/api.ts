import { apiRoutes, type RouteBody } from '@cryptovault/contract';
import { useQuery } from '@tanstack/react-query';
import type { ApiClient } from '../../lib/apiClient.ts';
import { qk } from '../../shared/queryKeys.ts';
import { useApi } from '../../shared/services.ts';

/** The signed-in user's tier, limits with usage and latest submission (GET /api/kyc). */
export function useKycStatus() {
  const api = useApi();
  return useQuery({ queryKey: qk.kyc, queryFn: () => api.call(apiRoutes.kyc.status) });
}

export function kycApi(api: ApiClient) {
  return {
    submitTier1: (body: RouteBody<typeof apiRoutes.kyc.submitTier1>) => api.call(apiRoutes.kyc.submitTier1, { body }),
    upload: (body: RouteBody<typeof apiRoutes.kyc.uploadDocument>) => api.call(apiRoutes.kyc.uploadDocument, { body }),
    submitTier2: (body: RouteBody<typeof apiRoutes.kyc.submitTier2>) => api.call(apiRoutes.kyc.submitTier2, { body }),
  };
}

/** A picked file as base64 (without the data: prefix): the server decides its type from the bytes. */
export function fileToBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.onload = () => {
      const url = String(reader.result ?? '');
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.readAsDataURL(file);
  });
}
