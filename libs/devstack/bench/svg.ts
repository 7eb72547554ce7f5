// A small SVG line chart, so the benchmark report carries pictures without a plotting library.

export interface Series {
  name: string;
  points: Array<[number, number]>;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2'];

export function lineChart(options: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  width?: number;
  height?: number;
  logY?: boolean;
}): string {
  const width = options.width ?? 720;
  const height = options.height ?? 400;
  const pad = { left: 70, right: 170, top: 40, bottom: 50 };
  const all = options.series.flatMap((s) => s.points);
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const fy = (y: number) => (options.logY ? Math.log10(Math.max(y, 0.1)) : y);
  const [x0, x1] = [Math.min(...xs, 0), Math.max(...xs, 1)];
  const [y0, y1] = [Math.min(...ys.map(fy), 0), Math.max(...ys.map(fy), 1) * 1.05];
  const px = (x: number) => pad.left + ((x - x0) / (x1 - x0 || 1)) * (width - pad.left - pad.right);
  const py = (y: number) =>
    height - pad.bottom - ((fy(y) - y0) / (y1 - y0 || 1)) * (height - pad.top - pad.bottom);
  const ticks = (from: number, to: number, n: number) =>
    Array.from({ length: n + 1 }, (_, i) => from + ((to - from) * i) / n);
  const fmt = (v: number) =>
    Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toFixed(2);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${options.title}</text>`,
    `<text x="${(pad.left + width - pad.right) / 2}" y="${height - 12}" text-anchor="middle">${options.xLabel}</text>`,
    `<text transform="translate(16 ${height / 2}) rotate(-90)" text-anchor="middle">${options.yLabel}${options.logY ? ' (log)' : ''}</text>`,
  ];
  for (const t of ticks(x0, x1, 5)) {
    parts.push(
      `<line x1="${px(t)}" y1="${height - pad.bottom}" x2="${px(t)}" y2="${pad.top}" stroke="#eee"/>`,
    );
    parts.push(`<text x="${px(t)}" y="${height - pad.bottom + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of ticks(y0, y1, 5)) {
    const value = options.logY ? 10 ** t : t;
    const y = height - pad.bottom - ((t - y0) / (y1 - y0 || 1)) * (height - pad.top - pad.bottom);
    parts.push(`<line x1="${pad.left}" y1="${y}" x2="${width - pad.right}" y2="${y}" stroke="#eee"/>`);
    parts.push(`<text x="${pad.left - 6}" y="${y + 4}" text-anchor="end">${fmt(value)}</text>`);
  }
  parts.push(
    `<rect x="${pad.left}" y="${pad.top}" width="${width - pad.left - pad.right}" height="${height - pad.top - pad.bottom}" fill="none" stroke="#888"/>`,
  );
  options.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const d = s.points
      .map(([x, y], j) => `${j ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`)
      .join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const [x, y] of s.points.length <= 20 ? s.points : [])
      parts.push(`<circle cx="${px(x)}" cy="${py(y)}" r="3" fill="${color}"/>`);
    parts.push(
      `<rect x="${width - pad.right + 12}" y="${pad.top + i * 20}" width="12" height="12" fill="${color}"/>`,
    );
    parts.push(`<text x="${width - pad.right + 30}" y="${pad.top + i * 20 + 10}">${s.name}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
