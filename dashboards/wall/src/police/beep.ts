/**
 * The sound cue for a new alert: a short two-tone beep made with WebAudio (no audio file to serve). Browsers
 * start an AudioContext suspended until the user has clicked on the page, so the console shows a "bật âm thanh"
 * toggle: the click that turns sound on is the gesture that lets the context run.
 */
export class AlertBeeper {
  #context: AudioContext | undefined;
  /** Beeps played since the page opened (tests read it through the DOM). */
  played = 0;

  /** Creates or resumes the context; call from a click handler. True when sound can play now. */
  async enable(): Promise<boolean> {
    const Context = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Context) return false;
    this.#context ??= new Context();
    if (this.#context.state === 'suspended') await this.#context.resume().catch(() => undefined);
    return this.#context.state === 'running';
  }

  get running(): boolean {
    return this.#context?.state === 'running';
  }

  /** Two short tones (880 Hz then 1320 Hz); nothing when the context is not running (no click yet). */
  beep(): boolean {
    const context = this.#context;
    if (!context || context.state !== 'running') return false;
    const start = context.currentTime + 0.01;
    [880, 1320].forEach((frequencyHz, index) => {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequencyHz;
      const at = start + index * 0.18;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.15);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(at);
      oscillator.stop(at + 0.16);
    });
    this.played += 1;
    return true;
  }
}
