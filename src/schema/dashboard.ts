import { Type, type Static } from '@sinclair/typebox';
import { manifest, strict } from './common.js';

const Widget = Type.Object(
  {
    type: Type.Union([Type.Literal('metric'), Type.Literal('text'), Type.Literal('alarm'), Type.Literal('log')]),
    x: Type.Optional(Type.Integer({ minimum: 0, maximum: 23 })),
    y: Type.Optional(Type.Integer({ minimum: 0 })),
    width: Type.Optional(Type.Integer({ minimum: 1, maximum: 24, default: 6 })),
    height: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 6 })),
    properties: Type.Record(Type.String(), Type.Unknown(), { description: 'CloudWatch widget properties, as in the dashboard body.' }),
  },
  strict,
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
        strict,
      ),
    ),
    periodOverride: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('inherit')], { default: 'auto' })),
  },
  strict,
);

export const Dashboard = manifest('Dashboard', DashboardSpec, 'A CloudWatch dashboard: stated widgets and generated standard ones.');
export type Dashboard = Static<typeof Dashboard>;
