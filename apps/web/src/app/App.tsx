import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { RouterProvider } from 'react-router';
import { ToastProvider } from '../ui/Toasts.tsx';
import { AuthProvider } from './auth.tsx';
import { createRouter } from './router.tsx';
import { StepUpProvider } from './StepUpDialog.tsx';
import { type Services, ServicesContext } from '../shared/services.ts';

export function App({ services }: { services: Services }) {
  const [router] = useState(createRouter);
  return (
    <ServicesContext.Provider value={services}>
      <QueryClientProvider client={services.queryClient}>
        <ToastProvider>
          <AuthProvider>
            <StepUpProvider>
              <RouterProvider router={router} />
            </StepUpProvider>
          </AuthProvider>
        </ToastProvider>
      </QueryClientProvider>
    </ServicesContext.Provider>
  );
}
