/** Names and counts of `ballast events setup`, apart from the SDK so the CLI can show them without loading it. */
export interface EventsSetupOptions {
  /** The queue the controller reads (`<name>-dlq` is its dead-letter queue). */
  queueName: string;
  /** Prefix of the two EventBridge rules: `<name>-api-calls` and `<name>-service-events`. */
  ruleName: string;
  /** Receives before SQS moves a message the controller could not handle to the dead-letter queue. */
  maxReceiveCount: number;
}

export const EVENTS_SETUP_DEFAULTS: EventsSetupOptions = { queueName: 'ballast-events', ruleName: 'ballast-changes', maxReceiveCount: 5 };
