/** A campaign folder or setting that cannot be used; the message says what to do instead. */
export class CampaignError extends Error {
  override readonly name = 'CampaignError';
}
