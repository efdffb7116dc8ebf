export * from './common.ts';
export * from './errors.ts';
export * from './ops.ts';
export * from './markets.ts';
export * from './auth.ts';
export * from './payments.ts';
export * from './notifications.ts';
export * from './socket.ts';
