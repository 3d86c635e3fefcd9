export * from './camera/ffmpeg-source';
export * from './ports';
export * from './sensors/reading-validator';
export * from './sensors/device-registry';
export * from './sensors/sensor-ingest';
export * from './sensors/mqtt-payload';
export * from './sensors/mqtt-sensor-source';
export * from './sensors/reading-ingest-router';
