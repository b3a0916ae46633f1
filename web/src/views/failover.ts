/**
 * The failover chart: a probe's replies over time (round-trip time, one series per backend
 * VM that answered), lost probes marked at zero, the stretches without a reply shaded (as the
 * lab reports them with each probe: ProbeGap), and
 * — when the run ends — the lab's own statistics (longest gap between replies, loss, replies
 * per VM), the way the seed-000 author watched curl's output scroll by.
 *
 * Probes come from the lab's live channel (`event: probe` of the event stream), so a probe
 * started with `arslab probe` shows here too. The page starts one with the same API call
 * as the CLI (POST /arslab/probe) and holds its stream open while it runs; closing it stops
 * the probe, as Ctrl-C does.
 */
import uPlot from 'uplot';
import { stream } from '../api.js';
import { h } from '../dom.js';
import type { ProbeGap, ProbeInfo, ProbeLive, ProbeResult, ProbeSummary } from '../types.js';

interface Run {
  readonly run: number;
  info?: ProbeInfo;
  readonly results: ProbeResult[];
  /** The stretches without replies as the lab reports them (by their first probe): the latest word on each. */
  readonly gaps: Map<number, ProbeGap>;
  summary?: ProbeSummary;
}

const COLORS = ['#1565c0', '#2e7d32', '#6a1b9a', '#00838f', '#ad1457', '#4e342e'];

export class FailoverChart {
  private current?: Run;
  /** The gaps shaded on the chart's last drawing (tests read them). */
  private drawnGaps: ProbeGap[] = [];
  private plot?: uPlot;
  private vms: string[] = [];
  private pending = false;
  private abort?: AbortController;
  private readonly chartEl: HTMLElement;
  private readonly title: HTMLElement;
  private readonly summaryEl: HTMLElement;
  private readonly statusEl: HTMLElement;
  private readonly from: HTMLSelectElement;
  private readonly to: HTMLInputElement;
  private readonly port: HTMLInputElement;
  private readonly interval: HTMLInputElement;
  private readonly duration: HTMLInputElement;
  private readonly startBtn: HTMLButtonElement;
  private readonly stopBtn: HTMLButtonElement;

  constructor(root: HTMLElement) {
    this.from = h('select', { 'data-probe': 'from' });
    this.to = h('input', { 'data-probe': 'to', value: '', placeholder: 'destination IP', size: 14 });
    this.port = h('input', { 'data-probe': 'port', type: 'number', value: '80', min: 1, max: 65535, class: 'num' });
    this.interval = h('input', { 'data-probe': 'interval', type: 'number', value: '100', min: 1, class: 'num' });
    this.duration = h('input', { 'data-probe': 'duration', type: 'number', value: '15', min: 1, class: 'num' });
    this.startBtn = h('button', { 'data-action': 'probe-start', onclick: () => void this.start() }, 'start probe');
    this.stopBtn = h('button', { 'data-action': 'probe-stop', disabled: true, onclick: () => this.stop() }, 'stop');
    this.statusEl = h('span', { class: 'status' });
    this.title = h('div', { class: 'chart-title' }, 'No probe yet: start one here, or run arslab probe.');
    this.chartEl = h('div', { class: 'chart', 'data-view': 'failover-chart' });
    this.summaryEl = h('div', { class: 'probe-summary', 'data-view': 'probe-summary' });
    root.append(
      h(
        'div',
        { class: 'filters' },
        h('label', null, 'from ', this.from),
        h('label', null, 'to ', this.to),
        h('label', null, 'port ', this.port),
        h('label', null, 'every ', this.interval, ' ms'),
        h('label', null, 'for ', this.duration, ' s'),
        this.startBtn,
        this.stopBtn,
        this.statusEl,
      ),
      this.title,
      this.chartEl,
      this.summaryEl,
    );
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(this.chartEl);
  }

  /** The VMs a probe may start from (from the topology). */
  setSources(vms: readonly string[], preferred?: string): void {
    const keep = this.from.value || preferred;
    this.from.replaceChildren(...vms.map((v) => h('option', { value: v, selected: v === keep }, v)));
  }

  setFrom(vm: string): void {
    if (![...this.from.options].some((o) => o.value === vm)) this.from.append(h('option', { value: vm }, vm));
    this.from.value = vm;
  }

  setTo(address: string): void {
    if (!this.to.value) this.to.value = address;
  }

  /** A message of the live channel. */
  onLive(m: ProbeLive): void {
    if (m.type === 'start' || !this.current || this.current.run !== m.run) {
      if (m.type !== 'start' && this.current && m.run < this.current.run) return;
      if (!this.current || this.current.run !== m.run) {
        this.current = { run: m.run, results: [], gaps: new Map() };
        this.vms = [];
        this.plot?.destroy();
        this.plot = undefined;
        this.summaryEl.replaceChildren();
      }
    }
    const r = this.current;
    if (m.type === 'start') r.info = m.info;
    else if (m.type === 'probe') {
      r.results.push(m.result);
      if (m.gap) r.gaps.set(m.gap.fromSeq, m.gap);
    } else r.summary = m.summary;
    this.schedule();
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  private size(): { width: number; height: number } {
    return {
      width: Math.max(300, this.chartEl.clientWidth - 8),
      height: Math.max(120, this.chartEl.clientHeight - 40),
    };
  }

  private draw(): void {
    const r = this.current;
    if (!r) return;
    const i = r.info;
    for (const p of r.results) if (p.result === 'ok' && p.vm && !this.vms.includes(p.vm)) this.vms.push(p.vm);
    this.title.replaceChildren(
      i
        ? `probe #${r.run}: ${i.from} (${i.source}) → ${i.to}:${i.port}, every ${i.intervalMs} ms${r.summary ? ' · done' : ' · running'}`
        : `probe #${r.run} (started before this page)`,
      ...this.vms.map((vm, k) =>
        h('span', { class: 'key', style: `color: ${COLORS[k % COLORS.length]}` }, ` ● reply from ${vm}`),
      ),
      h('span', { class: 'key lost' }, ' ● no reply'),
      h('span', { class: 'key gap' }, ' ▮ no reply in between'),
    );
    const x = r.results.map((p) => p.t / 1000);
    const perVm = this.vms.map((vm) =>
      r.results.map((p) => (p.result === 'ok' && p.vm === vm ? (p.rttMs ?? 0) : null)),
    );
    const lost = r.results.map((p) => (p.result === 'ok' ? null : 0));
    const data = [x, ...perVm, lost] as uPlot.AlignedData;
    if (!this.plot || this.plot.series.length !== this.vms.length + 2) {
      this.plot?.destroy();
      this.plot = new uPlot(
        {
          ...this.size(),
          scales: { x: { time: false } },
          // Our own legend (below the title): uPlot's takes half of a short chart.
          legend: { show: false },
          axes: [{ label: 'seconds since the first probe' }, { label: 'reply rtt (ms)' }],
          series: [
            { label: 't (s)' },
            ...this.vms.map((vm, k) => ({
              label: `reply from ${vm}`,
              stroke: COLORS[k % COLORS.length]!,
              width: 0,
              points: { show: true, size: 5, fill: COLORS[k % COLORS.length]! },
            })),
            { label: 'no reply', stroke: '#c62828', width: 0, points: { show: true, size: 6, fill: '#c62828' } },
          ],
          hooks: { draw: [(u) => this.shadeGaps(u)] },
        },
        data,
        this.chartEl,
      );
    } else this.plot.setData(data);
    this.summaryEl.replaceChildren(...(r.summary ? summaryLines(r.summary) : []));
  }

  /** Shades every stretch without a reply the lab reported; the longest gap it reported, darker and labelled. */
  private shadeGaps(u: uPlot): void {
    const r = this.current;
    if (!r) return;
    const ctx = u.ctx;
    const top = u.bbox.top;
    const height = u.bbox.height;
    const band = (g: ProbeGap, color: string) => {
      const a = u.valToPos(g.fromT / 1000, 'x', true);
      const b = u.valToPos(g.toT / 1000, 'x', true);
      ctx.fillStyle = color;
      ctx.fillRect(a, top, Math.max(2, b - a), height);
    };
    ctx.save();
    this.drawnGaps = [...r.gaps.values()];
    for (const g of this.drawnGaps) band(g, 'rgba(198, 40, 40, 0.12)');
    const longest = r.summary?.longestGap && r.gaps.get(r.summary.longestGap.fromSeq);
    if (longest && r.summary?.longestGapMs) {
      band(longest, 'rgba(198, 40, 40, 0.25)');
      ctx.fillStyle = '#b71c1c';
      // uPlot leaves the context aligned for its axes' labels: the label starts at the gap.
      ctx.textAlign = 'left';
      ctx.font = `${12 * devicePixelRatio}px DejaVu Sans, sans-serif`;
      ctx.fillText(
        `longest gap ${r.summary.longestGapMs} ms`,
        u.valToPos(longest.fromT / 1000, 'x', true) + 4,
        top + 14 * devicePixelRatio,
      );
    }
    ctx.restore();
  }

  async start(): Promise<void> {
    this.stop();
    const ac = new AbortController();
    this.abort = ac;
    this.startBtn.disabled = true;
    this.stopBtn.disabled = false;
    this.statusEl.textContent = 'probing…';
    this.statusEl.className = 'status';
    try {
      await stream(
        '/arslab/probe',
        {
          from: this.from.value,
          to: this.to.value.trim(),
          port: Number(this.port.value),
          intervalMs: Number(this.interval.value),
          durationMs: Number(this.duration.value) * 1000,
        },
        () => {
          // The chart follows the live channel (every run's, the CLI's too); this stream only keeps the probe running.
        },
        ac.signal,
      );
      this.statusEl.textContent = ac.signal.aborted ? 'stopped' : 'done';
    } catch (e) {
      this.statusEl.textContent = (e as Error).message;
      this.statusEl.className = 'status error';
    } finally {
      if (this.abort === ac) {
        this.abort = undefined;
        this.startBtn.disabled = false;
        this.stopBtn.disabled = true;
      }
    }
  }

  stop(): void {
    this.abort?.abort();
  }

  /** The run on the chart and the gaps shaded on it (tests read them). */
  snapshot(): { run?: number; results: ProbeResult[]; summary?: ProbeSummary; drawnGaps: ProbeGap[] } {
    const r = this.current;
    const drawnGaps = [...this.drawnGaps];
    return r
      ? { run: r.run, results: [...r.results], ...(r.summary ? { summary: r.summary } : {}), drawnGaps }
      : { results: [], drawnGaps };
  }
}

function summaryLines(s: ProbeSummary): HTMLElement[] {
  return [
    h(
      'p',
      { 'data-field': 'longest-gap' },
      h('strong', null, 'longest gap between replies: '),
      s.longestGapMs === null
        ? '- (fewer than two replies)'
        : `${s.longestGapMs} ms${s.longestGap ? ` (seq ${s.longestGap.fromSeq} → ${s.longestGap.toSeq}, ${s.longestGap.lost} lost)` : ''}`,
    ),
    h(
      'p',
      { 'data-field': 'loss' },
      `${s.sent} sent, ${s.received} received, ${s.lossPercent}% lost`,
      s.rttMs ? ` · rtt min/avg/max ${s.rttMs.min}/${s.rttMs.avg}/${s.rttMs.max} ms` : '',
    ),
    h(
      'p',
      { 'data-field': 'reached' },
      'replies from: ',
      Object.entries(s.reached)
        .map(([vm, n]) => `${vm} ${n}`)
        .join(', ') || 'none',
    ),
  ];
}
