import express, { type Router } from 'express';
import { iocError } from '@ioc/schemas';

/** A camera as the API shows it: configuration summary and live status (filled by the ingest side). */
export interface CameraSummary {
  id: string;
  name: string;
  state: 'starting' | 'online' | 'offline' | 'stopped';
  location?: { type: 'Point'; coordinates: [number, number] } | undefined;
  districtCode?: string | undefined;
  analysisFps: number;
  analysedFps: number;
  inferenceMs: number;
  lastFrameAtMs: number | undefined;
  lastError: string | undefined;
  counts: Record<string, Record<string, { forward: number; backward: number }>>;
}

/** What the API needs from whoever runs the cameras (the composition root passes the running pipelines). */
export interface CameraDirectory {
  list(): CameraSummary[];
  snapshot(cameraId: string): { jpeg: Buffer; takenAtMs: number } | undefined;
}

/** `GET /api/v1/cameras` and `GET /api/v1/cameras/:id/snapshot.jpg` (the annotated frame, refreshed every few seconds). */
export function createCameraRouter(directory: CameraDirectory): Router {
  const router = express.Router();
  router.get('/api/v1/cameras', (_request, response) => {
    response.json({ cameras: directory.list() });
  });
  router.get('/api/v1/cameras/:id/snapshot.jpg', (request, response) => {
    const id = request.params.id;
    if (!directory.list().some((camera) => camera.id === id)) throw iocError('IOC_ERR_NOT_FOUND', `No camera with id ${id}`);
    const snapshot = directory.snapshot(id);
    if (!snapshot) throw iocError('IOC_ERR_NOT_FOUND', `Camera ${id} has no snapshot yet (it is starting or offline)`);
    response
      .status(200)
      .type('image/jpeg')
      .set('Cache-Control', 'no-store')
      .set('Last-Modified', new Date(snapshot.takenAtMs).toUTCString())
      .send(snapshot.jpeg);
  });
  return router;
}
