import { App } from 'cdk8s';
import {
  KibanaChartType, KibanaDashboard, KibanaDataView, KibanaSavedObjects, KibanaSavedObjectsImport, KibanaVisualization,
  SecurityLoggingChart,
} from 'cdk8s-security-logging';

const app = new App();
const stack = new SecurityLoggingChart(app, 'security-logging');

// A dashboard of your own over the audit events, imported by a Job of its own.
const events = new KibanaDataView({ id: 'my-audit', name: 'Audit (mine)', template: stack.indexTemplates['seclog-audit'] });
const dashboard = new KibanaDashboard({ id: 'my-deletions', title: 'Who deletes what' });
dashboard.addVisualization(new KibanaVisualization({
  id: 'my-deletions-by-user', title: 'Deletions by user', dataView: events,
  chart: KibanaChartType.TABLE, field: 'user.name', query: 'event.action : "delete"',
}));
const mine = new KibanaSavedObjects();
mine.addDataView(events);
mine.addDashboard(dashboard);
new KibanaSavedObjectsImport(stack, 'MyDashboards', { kibana: stack.kibana, savedObjects: mine, name: 'my-dashboards' });
app.synth();
