export { LiveHub, type LiveHubOptions, type ReplayResult } from './live-hub';
export { WallGateway, type WallGatewayOptions } from './wall-gateway';
export { startApiServer, type ApiServer, type ApiServerOptions } from './server';
export { errorHandler, fromBodyParserError, notFoundHandler } from './http-errors';
export { scrubUrlCredentials } from '@ioc/schemas';
export type { RuntimeStatus } from './routes';
export { createCameraRouter, type CameraDirectory, type CameraSummary } from './cameras';
export { createDossierRouter, type DossierReader } from './dossiers';
