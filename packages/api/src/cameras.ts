import express, { type Request, type Router } from 'express';
import { iocError, userMaySee, type CameraSummary } from '@ioc/schemas';
import { userOf } from './access/access-control';

export type { CameraSummary };

/** What the API needs from whoever runs the cameras (the composition root passes the running pipelines). */
export interface CameraDirectory {
  list(): CameraSummary[];
  snapshot(cameraId: string): { jpeg: Buffer; takenAtMs: number } | undefined;
}

/** `GET /api/v1/cameras` and `GET /api/v1/cameras/:id/snapshot.jpg` (the annotated frame, refreshed every few seconds). */
export function createCameraRouter(directory: CameraDirectory): Router {
  const router = express.Router();
  // A district-scoped user sees the cameras of their districts (and of their camera list) only.
  const visibleCameras = (request: Request): CameraSummary[] => {
    const user = userOf(request);
    const cameras = directory.list();
    return user ? cameras.filter((camera) => userMaySee(user, { districtCode: camera.districtCode, cameraId: camera.id })) : cameras;
  };
  router.get('/api/v1/cameras', (request, response) => {
    response.json({ cameras: visibleCameras(request) });
  });
  router.get('/api/v1/cameras/:id/snapshot.jpg', (request, response) => {
    const id = request.params.id;
    if (!visibleCameras(request).some((camera) => camera.id === id)) throw iocError('IOC_ERR_NOT_FOUND', `No camera with id ${id}`);
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
