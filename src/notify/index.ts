// Public face of Graph change notifications: the service the worker runs beside its schedule.
export { createNotificationService, HINTS_PER_MINUTE, notificationSettingsProblem, RESERVED_PATHS, type NotificationService, type NotificationServiceContext, type NotificationServiceOptions } from './service.js';
export { MAX_NOTIFICATION_BODY_BYTES } from './endpoint.js';
export { clientStateMatches, generateClientState } from './client-state.js';
