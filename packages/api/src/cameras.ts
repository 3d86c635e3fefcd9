import express, { type Router } from 'express';
import { iocError, type CameraSummary } from '@ioc/schemas';

export type { CameraSummary };

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
