import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seed000Model } from '../../../test/helpers/model.js';
import { DEFAULT_LAB_SETTINGS, type LabSpec } from '../spec.js';
import { LOADED_SPEC_ENV, takeLoadedSpec, writeLoadedSpec } from './loaded.js';

function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'arslab-loaded-'));
  const file = join(dir, 'lab.yml');
  writeFileSync(file, 'name: x\n');
  const spec: LabSpec = {
    name: 'x',
    file,
    settings: DEFAULT_LAB_SETTINGS,
    model: seed000Model(),
    nodes: [],
    routers: [],
    warnings: [],
  };
  return { dir, file, spec };
}

test('up --detach hands the checked spec over: the lab process gets it back whole, once', (t) => {
  const { dir, file, spec } = fixture();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = writeLoadedSpec(dir, spec);
  process.env[LOADED_SPEC_ENV] = path;
  assert.deepEqual(takeLoadedSpec(file), spec);
  // Taken once: the file and the variable (inherited by daemons) are gone.
  assert.equal(existsSync(path), false);
  assert.equal(process.env[LOADED_SPEC_ENV], undefined);
  assert.equal(takeLoadedSpec(file), undefined);
});

test('a lab file changed after it was checked, or another file, is loaded again (no spec handed over)', (t) => {
  const { dir, file, spec } = fixture();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  process.env[LOADED_SPEC_ENV] = writeLoadedSpec(dir, spec);
  utimesSync(file, new Date(), new Date(Date.now() + 5000));
  assert.equal(takeLoadedSpec(file), undefined);
  process.env[LOADED_SPEC_ENV] = writeLoadedSpec(dir, spec);
  assert.equal(takeLoadedSpec(join(dir, 'other.yml')), undefined);
  process.env[LOADED_SPEC_ENV] = join(dir, 'garbage.v8');
  writeFileSync(join(dir, 'garbage.v8'), 'not a serialized spec');
  assert.equal(takeLoadedSpec(file), undefined);
});
