import express, { type Router } from 'express';
import { alertAcknowledgeSchema, alertListQuerySchema, iocError, parseWith } from '@ioc/schemas';
import type { AlertRepository } from '@ioc/store';

/**
 * Alerts and the incidents the system raises (`ingest/src/incidents`):
 * - `GET /api/v1/alerts?open=true&category=&subCategory=&deviceId=&acknowledged=&limit=` — newest first
 * - `GET /api/v1/alerts/:id`
 * - `POST /api/v1/alerts/:id/ack` `{operator, note}` — an operator's acknowledgement (a later one replaces it)
 * - `GET /api/v1/incidents` — the open incidents, in the short shape the wall's incident panel reads
 */
export type AlertReader = Pick<AlertRepository, 'list' | 'get' | 'acknowledge'>;

export function createAlertRouter(alerts: AlertReader): Router {
  const router = express.Router();

  router.get('/api/v1/alerts', async (request, response) => {
    const parsed = parseWith(alertListQuerySchema, request.query, 'query');
    if (!parsed.ok) throw iocError('IOC_ERR_BAD_QUERY', parsed.error.message.replace(/^Invalid/, 'Invalid query'), { issues: [...parsed.error.issues] });
    response.json({ alerts: await alerts.list(parsed.value) });
  });

  router.get('/api/v1/alerts/:id', async (request, response) => {
    const record = await alerts.get(request.params.id);
    if (!record) throw iocError('IOC_ERR_NOT_FOUND', `No alert with id ${request.params.id}`);
    response.json({ alert: record });
  });

  router.post('/api/v1/alerts/:id/ack', express.json({ limit: 16 * 1024 }), async (request, response) => {
    const parsed = parseWith(alertAcknowledgeSchema, request.body ?? {}, 'acknowledgement');
    if (!parsed.ok) throw parsed.error;
    const record = await alerts.acknowledge(request.params.id, parsed.value.operator, parsed.value.note);
    if (!record) throw iocError('IOC_ERR_NOT_FOUND', `No alert with id ${request.params.id}`);
    response.json({ alert: record });
  });

  router.get('/api/v1/incidents', async (_request, response) => {
    const open = (await alerts.list({ open: true, limit: 1000 })).filter((record) => record.rule !== null);
    response.json({
      incidents: open.map((record) => ({
        id: record.id,
        rule: record.rule,
        status: record.status,
        severity: record.alert.severity,
        category: record.alert.category,
        subCategory: record.alert.subCategory,
        description: record.alert.description ?? null,
        deviceId: record.deviceId,
        location: record.alert.location ?? null,
        openedAt: record.alert.dateIssued,
        acknowledged: record.acknowledgedAt !== null,
      })),
    });
  });

  return router;
}
