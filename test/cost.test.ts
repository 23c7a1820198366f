import * as fs from 'fs';
import * as path from 'path';
import { costTable } from './helpers/cost';

test('the README\'s prerequisites table is computed from dist/', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf-8');
  expect(readme).toContain(costTable());
});
