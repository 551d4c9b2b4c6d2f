import cliProgress from 'cli-progress';

/** A progress bar on stderr for long work; silent when stderr is not a terminal or when disabled. */
export const progressBar = (
  label: string,
  total: number,
  enabled = true,
): cliProgress.SingleBar | undefined => {
  if (!enabled || !process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} {bar} {percentage}% | {value}/{total} | {eta_formatted} left`,
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(1, total), 0);
  return bar;
};
