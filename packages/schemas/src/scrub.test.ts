import { describe, expect, it } from 'vitest';
import { scrubUrlCredentials } from './scrub';

describe('scrubUrlCredentials', () => {
  it.each([
    { text: 'rtsp://admin:Secret123@10.0.0.5:554/stream1', scrubbed: 'rtsp://***:***@10.0.0.5:554/stream1' },
    { text: 'mqtt://user@broker:1883', scrubbed: 'mqtt://***:***@broker:1883' },
    { text: 'ffmpeg -i rtsp://a:b@cam/1 -f rawvideo', scrubbed: 'ffmpeg -i rtsp://***:***@cam/1 -f rawvideo' },
    { text: 'http://camera.local/mjpeg', scrubbed: 'http://camera.local/mjpeg' },
    { text: '/data/video.mp4', scrubbed: '/data/video.mp4' },
  ])('$text', ({ text, scrubbed }) => {
    expect(scrubUrlCredentials(text)).toBe(scrubbed);
  });
});
