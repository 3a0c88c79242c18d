import { Type, type Static } from '@sinclair/typebox';
import { manifest, strict } from './common.js';

const Widget = Type.Object(
  {
    type: Type.Union([Type.Literal('metric'), Type.Literal('text'), Type.Literal('alarm'), Type.Literal('log')], {
      description: 'CloudWatch widget type.',
    }),
    x: Type.Optional(Type.Integer({ minimum: 0, maximum: 23, description: 'Column (0-23); omitted: placed automatically.' })),
    y: Type.Optional(Type.Integer({ minimum: 0, description: 'Row; omitted: placed automatically.' })),
    width: Type.Optional(Type.Integer({ minimum: 1, maximum: 24, default: 6, description: 'Width in grid columns (24 across).' })),
    height: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 6, description: 'Height in grid rows.' })),
    properties: Type.Record(Type.String(), Type.Unknown(), {
      additionalProperties: false,
      description: 'CloudWatch widget properties, as in the dashboard body.',
    }),
  },
  { ...strict, description: 'One CloudWatch dashboard widget.' },
);

export const DashboardSpec = Type.Object(
  {
    widgets: Type.Optional(Type.Array(Widget, { description: 'Widgets stated directly; placed before generated ones.' })),
    generate: Type.Optional(
      Type.Object(
        {
          ecsServices: Type.Optional(Type.Array(Type.String(), { uniqueItems: true, description: 'CPU, memory and running tasks per EcsService.' })),
          loadBalancers: Type.Optional(
            Type.Array(Type.String(), { uniqueItems: true, description: 'EcsService names: healthy hosts and TCP resets of their NLB target group.' }),
          ),
          dbInstances: Type.Optional(
            Type.Array(Type.String(), { uniqueItems: true, description: 'CPU, connections, replica lag and free storage per DbInstance.' }),
          ),
        },
        { ...strict, description: 'Standard widgets generated from other manifests, by name.' },
      ),
    ),
    periodOverride: Type.Optional(
      Type.Union([Type.Literal('auto'), Type.Literal('inherit')], { default: 'auto', description: 'How widget periods follow the time range.' }),
    ),
  },
  { ...strict, description: 'What the dashboard should show: widgets, generate, or both.' },
);

export const Dashboard = manifest('Dashboard', DashboardSpec, 'A CloudWatch dashboard: stated widgets and generated standard ones.');
export type Dashboard = Static<typeof Dashboard>;
