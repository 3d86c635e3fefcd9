import { signalControllerMessageSchema, type SignalGroupConfig } from '@ioc/schemas';
import {
  LAMP_COLOURS,
  SignalStateSmoother,
  SignalTimeline,
  classifySignalLamps,
  type LampColour,
  type LampRectangle,
  type RgbFrame,
  type SignalChange,
  type SignalState,
} from '@ioc/vision';

/** The outcome of one controller message: the new state, or why the message was refused (a dead-letter reason). */
export type ControllerMessageResult = { ok: true; groupId: string; state: SignalState; changedAtMs: number } | { ok: false; reason: string };

/**
 * Signal state from a controller feed: one MQTT topic per signal group, payload `{state, changedAt}`. A typed
 * input adapter and state holder: the MQTT client (or a test) hands it messages; rules read `stateAt`. Late
 * messages (older `changedAt` than the state held) are ignored, so a replayed retained message cannot undo a
 * newer change.
 */
export class SignalControllerFeed {
  readonly #groupByTopic = new Map<string, string>();
  readonly #states = new Map<string, { state: SignalState; changedAtMs: number }>();

  constructor(groups: readonly Pick<SignalGroupConfig, 'id' | 'source' | 'mqttTopic'>[]) {
    for (const group of groups) if (group.source === 'controller' && group.mqttTopic !== undefined) this.#groupByTopic.set(group.mqttTopic, group.id);
  }

  /** Topics to subscribe to. */
  get topics(): string[] {
    return [...this.#groupByTopic.keys()];
  }

  handleMessage(topic: string, payload: Uint8Array | string): ControllerMessageResult {
    const groupId = this.#groupByTopic.get(topic);
    if (groupId === undefined) return { ok: false, reason: `topic "${topic}" is not the mqttTopic of a controller signal group` };
    let json: unknown;
    try {
      json = JSON.parse(typeof payload === 'string' ? payload : new TextDecoder().decode(payload));
    } catch {
      return { ok: false, reason: 'payload is not JSON' };
    }
    const parsed = signalControllerMessageSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, reason: `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` };
    }
    const changedAtMs = Date.parse(parsed.data.changedAt);
    const held = this.#states.get(groupId);
    if (held === undefined || changedAtMs >= held.changedAtMs) this.#states.set(groupId, { state: parsed.data.state, changedAtMs });
    return { ok: true, groupId, state: parsed.data.state, changedAtMs };
  }

  /** The group's state at a wall-clock time: `unknown` before the first message or for a time before the last change. */
  stateAt(groupId: string, timeMs: number): SignalState {
    const held = this.#states.get(groupId);
    return held === undefined || timeMs < held.changedAtMs ? 'unknown' : held.state;
  }
}

/** Normalised [x1, y1, x2, y2] → pixels of a frame. */
export function lampRectanglePixels(rectangle: readonly [number, number, number, number], widthPixels: number, heightPixels: number): LampRectangle {
  return { x1: rectangle[0] * widthPixels, y1: rectangle[1] * heightPixels, x2: rectangle[2] * widthPixels, y2: rectangle[3] * heightPixels };
}

interface ImageGroup {
  id: string;
  lamps: Partial<Record<LampColour, LampRectangle>>;
  smoother: SignalStateSmoother;
  timeline: SignalTimeline;
}

/**
 * Reads every image signal group of a camera from its frames (lamps classified per frame, then smoothed against
 * LED flicker) and keeps each group's timeline. Frames must be fed in decode order, every frame, so that the
 * timeline's frame numbers are decode indices.
 */
export class ImageSignalReader {
  readonly #groups: ImageGroup[];

  constructor(groups: readonly SignalGroupConfig[], frameSize: { widthPixels: number; heightPixels: number }) {
    this.#groups = groups
      .filter((group) => group.source === 'image' && group.lamps !== undefined)
      .map((group) => {
        const lamps: Partial<Record<LampColour, LampRectangle>> = {};
        for (const colour of LAMP_COLOURS) {
          const rectangle = group.lamps?.[colour];
          if (rectangle !== undefined) lamps[colour] = lampRectanglePixels(rectangle, frameSize.widthPixels, frameSize.heightPixels);
        }
        return { id: group.id, lamps, smoother: new SignalStateSmoother({ confirmFrames: group.confirmFrames, holdDarkMs: group.holdDarkSeconds * 1000 }), timeline: new SignalTimeline() };
      });
  }

  get groupCount(): number {
    return this.#groups.length;
  }

  /** One frame; returns every image group's smoothed state at this frame. */
  update(frame: RgbFrame, frameIndex: number, timestampMs: number): Record<string, SignalState> {
    const states: Record<string, SignalState> = {};
    for (const group of this.#groups) {
      const reading = classifySignalLamps(frame, group.lamps);
      const change = group.smoother.update(reading.state, frameIndex, timestampMs);
      if (change !== undefined) group.timeline.record(change);
      states[group.id] = group.smoother.state;
    }
    return states;
  }

  /** Each group's timeline so far: `{ group, fromFrame, state }` (the `ioc analyze` contract). */
  timelines(): Array<{ group: string } & SignalChange> {
    return this.#groups.flatMap((group) => group.timeline.changes.map((change) => ({ group: group.id, ...change })));
  }
}
