import { sharedMachineCeiling } from './sharedCeiling.js';
import type { NaiveFigures, PageSizeFigures, Bounds, Target, WriteFigures } from './figures.js';

/** Ratios, bounds and targets of one page size's figures. */
export function evaluate(
  f: Omit<PageSizeFigures, 'ratios' | 'bounds' | 'targets'>,
  write: WriteFigures,
  naiveM: NaiveFigures,
  js: { prepareUs: number },
  cpuCount: number,
): Pick<PageSizeFigures, 'ratios' | 'bounds' | 'targets'> {
  const fetchM = f.fetchCeiling.median;
  const mirrorM = f.firstMirror.median;
  const unchangedM = f.unchangedMirror.median;
  const scaleM = f.scale4N?.median;
  const ceiling = Math.min(fetchM.recordsPerSec, write.recordsPerSec);
  // Both ceilings are measured alone, each with the other core free; a mirror must fetch AND
  // write on the same cores, so each record costs the time of both: 1/(1/fetch + 1/write).
  const sharedCeiling = sharedMachineCeiling(fetchM.recordsPerSec, write.recordsPerSec);
  const ratios = {
    mirrorVsCeiling: mirrorM.recordsPerSec / ceiling,
    sharedCeiling,
    mirrorVsSharedCeiling: mirrorM.recordsPerSec / sharedCeiling,
    mirrorVsNaive: mirrorM.recordsPerSec / naiveM.recordsPerSec,
    unchangedSpeedup: unchangedM.recordsPerSec / mirrorM.recordsPerSec,
    costPerRecord4NvsN: scaleM ? scaleM.usPerRecord / mirrorM.usPerRecord : null,
    peakRss4NvsN: scaleM ? scaleM.peakRssMb / mirrorM.peakRssMb : null,
  };
  const floorCpuUs = fetchM.totalCpuUs + write.postgresCpuUs + js.prepareUs;
  const bounds: Bounds = {
    targetMirror: 0.7 * ceiling,
    floorCpuUs,
    floorMachineMax: (cpuCount * 1e6) / floorCpuUs,
    floorProcessMax: 1e6 / (fetchM.syncCpuUs + js.prepareUs),
    syncProcessMax: 1e6 / mirrorM.syncCpuUs,
    machineMax: (cpuCount * 1e6) / mirrorM.totalCpuUs,
  };
  const maxUnchangedDataRows = Math.max(...f.unchangedMirror.reps.map((u) => u.dataRowsWritten));
  const maxIncRequests = Math.max(...f.incrementalNothingNew.reps.map((r) => r.requests));
  const notRun = (name: string, note: string): Target => ({ name, value: null, pass: null, note });
  const targets: Target[] = [
    {
      name: 'first mirror ≥ 0.7 × min(fetch, write) ceiling',
      value: ratios.mirrorVsCeiling,
      pass: ratios.mirrorVsCeiling >= 0.7,
    },
    { name: 'first mirror ≥ 10 × naive baseline', value: ratios.mirrorVsNaive, pass: ratios.mirrorVsNaive >= 10 },
    { name: 'unchanged re-mirror writes 0 data rows', value: maxUnchangedDataRows, pass: maxUnchangedDataRows === 0 },
    {
      name: 'unchanged re-mirror ≥ 1.5 × faster than first mirror',
      value: ratios.unchangedSpeedup,
      pass: ratios.unchangedSpeedup >= 1.5,
    },
    { name: 'incremental, nothing new: ≤ 2 requests per endpoint', value: maxIncRequests, pass: maxIncRequests <= 2 },
    ratios.peakRss4NvsN === null
      ? notRun('peak RSS within 20% between N and 4N', 'not measured')
      : {
          name: 'peak RSS within 20% between N and 4N',
          value: ratios.peakRss4NvsN,
          pass: Math.abs(ratios.peakRss4NvsN - 1) <= 0.2,
        },
    ratios.costPerRecord4NvsN === null
      ? notRun('cost per record at 4N within 15% of N', 'not measured')
      : {
          name: 'cost per record at 4N within 15% of N',
          value: ratios.costPerRecord4NvsN,
          pass: Math.abs(ratios.costPerRecord4NvsN - 1) <= 0.15,
        },
    f.million
      ? { name: 'peak RSS < 250 MB at 1,000,000 records', value: f.million.peakRssMb, pass: f.million.peakRssMb < 250 }
      : notRun('peak RSS < 250 MB at 1,000,000 records', 'run with --million'),
  ];
  return { ratios, bounds, targets };
}
