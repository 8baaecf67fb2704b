// The report: a Markdown table on stdout, plus JSON and an HTML page with charts in bench/results/.
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'

export interface BenchReport {
  machine: { cpus: number; model: string; memGb: number; node: string; date: string }
  params: Record<string, unknown>
  baselines: { bare: { rps: number; p99: number | null }; upsert: { rps: number; median: number | null; p99: number | null } }
  figures: { name: string; median: number | null; p99: number | null; unit: string; count?: number; ratio?: string; target?: string }[]
  throughput: { autosavePerSecPeak: number; autosavePerSecMean: number; ratioToUpsert: number | null }
  findMax?: {
    steps: { connections: number; rps: number; p99: number | null; errors: number }[]
    sustained: number
    ratioToUpsert: number | null
  }
  server: { rssMbMax: number; cpuCoresMean: number; eventLoopP99MsMax: number; socketsMax: number }
  timeline: { latency: [number, number][]; throughput: [number, number][]; connections: [number, number][] }
  errors: Record<string, number>
}

export function markdown(r: BenchReport): string {
  const rows = r.figures.map(
    (f) => `| ${f.name} | ${f.count ?? ''} | ${f.median ?? '–'} | ${f.p99 ?? '–'} ${f.unit} | ${f.ratio ?? ''} | ${f.target ?? ''} |`,
  )
  return [
    `## xuece bench — ${r.machine.date}`,
    `Machine: ${r.machine.cpus} × ${r.machine.model}, ${r.machine.memGb} GB, Node ${r.machine.node}. Parameters: ${JSON.stringify(r.params)}`,
    '',
    `Baselines (same run): bare Fastify ${r.baselines.bare.rps} req/s (p99 ${r.baselines.bare.p99} ms); one pg upsert per request ${r.baselines.upsert.rps} req/s (median ${r.baselines.upsert.median} ms, p99 ${r.baselines.upsert.p99} ms).`,
    '',
    '| figure | n | median | p99 | ratio to baseline | target |',
    '|---|---|---|---|---|---|',
    ...rows,
    `| autosave throughput | | mean ${r.throughput.autosavePerSecMean}/s | peak ${r.throughput.autosavePerSecPeak}/s | ${r.throughput.ratioToUpsert ?? '–'} × upsert baseline | |`,
    ...(r.findMax
      ? [
          `| autosave sustained max (--find-max) | | | ${r.findMax.sustained}/s | ${r.findMax.ratioToUpsert ?? '–'} × upsert baseline | ≥ 10,000/s, ≥ 1.3× |`,
        ]
      : []),
    `| server | | CPU ${r.server.cpuCoresMean} cores | RSS max ${r.server.rssMbMax} MB, loop delay p99 max ${r.server.eventLoopP99MsMax} ms, sockets max ${r.server.socketsMax} | | RSS ≤ 1.5 GB |`,
    '',
    Object.keys(r.errors).length ? `Errors: ${JSON.stringify(r.errors)}` : 'Errors: none',
  ].join('\n')
}

export function writeReport(r: BenchReport, dir: string): { json: string; html: string } {
  fs.mkdirSync(dir, { recursive: true })
  const stamp = r.machine.date.replace(/[:.]/g, '-')
  const json = path.join(dir, `bench-${stamp}.json`)
  const html = path.join(dir, `bench-${stamp}.html`)
  fs.writeFileSync(json, JSON.stringify(r, null, 2))
  const echarts = fs.readFileSync(createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'), 'utf8')
  const chart = (id: string, title: string, series: [number, number][], yName: string, kind: 'scatter' | 'line') =>
    `echarts.init(document.getElementById('${id}')).setOption({title:{text:${JSON.stringify(title)}},tooltip:{},xAxis:{type:'value',name:'s'},yAxis:{type:'value',name:${JSON.stringify(yName)}},series:[{type:'${kind}',symbolSize:3,showSymbol:false,data:${JSON.stringify(series)}}]});`
  fs.writeFileSync(
    html,
    `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>xuece bench ${r.machine.date}</title>
<style>body{font-family:sans-serif;margin:24px;max-width:1100px}div.c{height:320px;margin:16px 0}pre{background:#f6f6f6;padding:12px;white-space:pre-wrap}</style>
<h1>xuece 学测 — exam-day benchmark</h1><pre>${markdown(r).replace(/</g, '&lt;')}</pre>
<div id="lat" class="c"></div><div id="thr" class="c"></div><div id="con" class="c"></div>
<script>${echarts}</script><script>
${chart('lat', 'Autosave latency over time (ms)', r.timeline.latency, 'ms', 'scatter')}
${chart('thr', 'Acknowledged autosaves per second', r.timeline.throughput, 'saves/s', 'line')}
${chart('con', 'Socket connections on the server', r.timeline.connections, 'sockets', 'line')}
</script></html>`,
  )
  return { json, html }
}
