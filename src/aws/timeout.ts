/** An AWS API call answers in seconds; a minute without a connection or an answer is one that will not come. */
export const DEFAULT_AWS_TIMEOUT = 60;
