import type { ProgressSnapshot } from '@/lib/services/job-progress';

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/**
 * Progress on stderr: a redrawn bar with rate and ETA on a terminal, a plain line every few
 * seconds otherwise (logs and CI output stay readable).
 */
export function progressReporter(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let lastPrint = 0;
  let lastLine = '';
  const render = (p: ProgressSnapshot) => {
    const processed = p.done + p.failed;
    const elapsed = (Date.now() - started) / 1000;
    const rate = elapsed > 0 ? processed / elapsed : 0;
    const eta = rate > 0 ? (p.total - processed) / rate : Infinity;
    const fraction = p.total ? Math.min(1, processed / p.total) : 1;
    const counts = `${processed}/${p.total}${p.failed ? ` (${p.failed} failed)` : ''} ${rate.toFixed(1)}/s ETA ${duration(eta)}`;
    if (stream.isTTY) {
      const width = 30;
      const bar = '█'.repeat(Math.round(fraction * width)).padEnd(width, '░');
      return `\r${label} ${bar} ${(fraction * 100).toFixed(0).padStart(3)}% ${counts}\x1b[K`;
    }
    return `${label}: ${counts}\n`;
  };
  return {
    update(p: ProgressSnapshot) {
      const now = Date.now();
      const finished = p.total > 0 && p.done + p.failed >= p.total;
      if (!finished && now - lastPrint < (stream.isTTY ? 100 : 5000)) return;
      lastPrint = now;
      lastLine = render(p);
      stream.write(lastLine);
    },
    end() {
      if (stream.isTTY && lastLine) stream.write('\n');
    },
  };
}
