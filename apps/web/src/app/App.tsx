import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { RouterProvider } from 'react-router';
import { ToastProvider } from '../ui/Toasts.tsx';
import { AuthProvider } from './auth.tsx';
import { createRouter } from './router.tsx';
import { type Services, ServicesContext } from './services.ts';

export function App({ services }: { services: Services }) {
  const [router] = useState(createRouter);
  return (
    <ServicesContext.Provider value={services}>
      <QueryClientProvider client={services.queryClient}>
        <ToastProvider>
          <AuthProvider>
            <RouterProvider router={router} />
          </AuthProvider>
        </ToastProvider>
      </QueryClientProvider>
    </ServicesContext.Provider>
  );
}
