import { Testing } from 'cdk8s';
import { assertValidManifests, validationStats } from './schema';

// Every object any test synthesizes is validated against the Kubernetes schemas.
const originalSynth = Testing.synth.bind(Testing);
Testing.synth = (chart) => {
  const objects = originalSynth(chart);
  assertValidManifests(objects);
  validationStats.objects += objects.length;
  return objects;
};
