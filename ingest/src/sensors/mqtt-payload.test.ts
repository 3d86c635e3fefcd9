import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_PAYLOAD_PREFIX_BYTES, decodeSensorPayload, deviceIdFromTopic, payloadForDeadLetter } from './mqtt-payload';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('deviceIdFromTopic', () => {
  it.each([
    { topic: 'ioc/v1/sensors/aq-1', result: { ok: true, deviceId: 'aq-1' } },
    { topic: 'ioc/v1/sensors/urn:ngsi-ld:Device:hn.001', result: { ok: true, deviceId: 'urn:ngsi-ld:Device:hn.001' } },
    { topic: 'ioc/v1/sensors/', result: { ok: false } },
    { topic: 'ioc/v1/sensors/bad id', result: { ok: false } },
    { topic: 'ioc/v1/sensors/-leading-dash', result: { ok: false } },
    { topic: 'ioc/v2/sensors/aq-1', result: { ok: false } },
  ])('$topic', ({ topic, result }) => {
    expect(deviceIdFromTopic(topic)).toMatchObject(result);
  });
});

describe('decodeSensorPayload', () => {
  const reading = { property: 'pm25', value: 1, observedAt: '2026-11-24T08:00:00Z' };

  it.each([
    { name: 'one object', payload: JSON.stringify(reading), items: [reading], isArray: false },
    { name: 'an array', payload: JSON.stringify([reading, { bad: true }]), items: [reading, { bad: true }], isArray: true },
    { name: 'an object of any shape (validated later)', payload: '{"x":1}', items: [{ x: 1 }], isArray: false },
  ])('accepts $name', ({ payload, items, isArray }) => {
    expect(decodeSensorPayload(bytes(payload), 1024)).toMatchObject({ ok: true, items, isArray, text: payload });
  });

  it.each([
    { name: 'a payload over the limit', payload: bytes(JSON.stringify({ ...reading, pad: 'x'.repeat(2000) })), code: 'IOC_ERR_PAYLOAD_TOO_LARGE', reason: /larger than mqtt.maxPayloadBytes \(1024\)/ },
    { name: 'malformed JSON', payload: bytes('{"property": '), code: 'IOC_ERR_MALFORMED_JSON', reason: /not valid JSON/ },
    { name: 'an empty payload', payload: bytes(''), code: 'IOC_ERR_MALFORMED_JSON', reason: /not valid JSON/ },
    { name: 'bytes that are not UTF-8', payload: new Uint8Array([0xff, 0xfe, 0x7b]), code: 'IOC_ERR_MALFORMED_JSON', reason: /not UTF-8/ },
    { name: 'a number', payload: bytes('42'), code: 'IOC_ERR_VALIDATION', reason: /found number/ },
    { name: 'null', payload: bytes('null'), code: 'IOC_ERR_VALIDATION', reason: /found null/ },
    { name: 'an empty array', payload: bytes('[]'), code: 'IOC_ERR_VALIDATION', reason: /1 to 1000 readings, found 0/ },
    { name: 'an array over 1000 items', payload: bytes(JSON.stringify(Array.from({ length: 1001 }, () => reading))), code: 'IOC_ERR_VALIDATION', reason: /found 1001/ },
  ])('rejects $name with $code', ({ payload, code, reason }) => {
    const decoded = decodeSensorPayload(payload, code === 'IOC_ERR_PAYLOAD_TOO_LARGE' ? 1024 : 1024 * 1024);
    expect(decoded).toMatchObject({ ok: false, code });
    expect(!decoded.ok && decoded.reason).toMatch(reason);
  });
});

describe('payloadForDeadLetter', () => {
  it.each([
    { name: 'UTF-8 text as is', payload: bytes('{"giá trị": "ồn"}'), maxBytes: undefined, stored: '{"giá trị": "ồn"}' },
    { name: 'invalid UTF-8 as base64', payload: new Uint8Array([0xff, 0x00, 0x41]), maxBytes: undefined, stored: 'base64:/wBB' },
    { name: 'text with NUL (PostgreSQL text cannot hold it) as base64', payload: bytes('a\u0000b'), maxBytes: undefined, stored: 'base64:YQBi' },
    { name: 'a long payload cut to its prefix', payload: bytes('x'.repeat(5000)), maxBytes: DEAD_LETTER_PAYLOAD_PREFIX_BYTES, stored: 'x'.repeat(DEAD_LETTER_PAYLOAD_PREFIX_BYTES) },
    { name: 'a cut inside a multi-byte character, still text', payload: bytes('aồồ'), maxBytes: 3, stored: 'a' },
  ])('keeps $name', ({ payload, maxBytes, stored }) => {
    expect(payloadForDeadLetter(payload, maxBytes)).toBe(stored);
  });
});
