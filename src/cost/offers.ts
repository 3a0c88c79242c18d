/**
 * Reads the two shapes AWS publishes prices in, into one list of priced products:
 * - a bulk offer file (`https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/<Offer>/current/<region>/index.json`):
 *   `{offerCode, version, publicationDate, products: {sku: product}, terms: {OnDemand: {sku: {term: {priceDimensions}}}}}`;
 * - a `pricing:GetProducts` answer (`aws pricing get-products` output, or the SDK's): `{PriceList: [item, …]}`, each
 *   item (a JSON string or object) `{product, serviceCode, terms: {OnDemand}, version, publicationDate}`.
 */
export interface PricedProduct {
  offerCode: string;
  version: string;
  publicationDate: string;
  productFamily?: string;
  attributes: Record<string, string>;
  /** On-demand price dimensions, lowest tier first. */
  dimensions: { unit: string; beginRange: number; usd: number }[];
}

interface RawDimension {
  unit?: string;
  beginRange?: string;
  pricePerUnit?: { USD?: string };
}
type OnDemandTerms = Record<string, { priceDimensions?: Record<string, RawDimension> }>;
interface RawProduct {
  sku?: string;
  productFamily?: string;
  attributes?: Record<string, string>;
}

export function readOffer(json: unknown, origin: string): PricedProduct[] {
  const doc = json as Record<string, unknown>;
  if (doc && Array.isArray(doc.PriceList)) {
    return doc.PriceList.map((item) => fromPriceListItem(typeof item === 'string' ? (JSON.parse(item) as unknown) : item, origin));
  }
  if (doc && typeof doc.offerCode === 'string' && doc.products && doc.terms) return fromOfferFile(doc, origin);
  throw new Error(`${origin}: neither a Price List offer file nor a GetProducts answer (no offerCode/products/terms, no PriceList)`);
}

function fromOfferFile(doc: Record<string, unknown>, origin: string): PricedProduct[] {
  const products = doc.products as Record<string, RawProduct>;
  const onDemand = ((doc.terms as Record<string, unknown>).OnDemand ?? {}) as Record<string, OnDemandTerms>;
  return Object.entries(products).map(([sku, product]) => ({
    offerCode: String(doc.offerCode),
    version: text(doc.version, origin, 'version'),
    publicationDate: text(doc.publicationDate, origin, 'publicationDate'),
    productFamily: product.productFamily,
    attributes: product.attributes ?? {},
    dimensions: dimensionsOf(onDemand[sku]),
  }));
}

function fromPriceListItem(item: unknown, origin: string): PricedProduct {
  const i = item as { product?: RawProduct; serviceCode?: string; terms?: { OnDemand?: OnDemandTerms }; version?: string; publicationDate?: string };
  if (!i?.product || !i.serviceCode) throw new Error(`${origin}: a PriceList item without product or serviceCode`);
  return {
    offerCode: i.serviceCode,
    version: text(i.version, origin, 'version'),
    publicationDate: text(i.publicationDate, origin, 'publicationDate'),
    productFamily: i.product.productFamily,
    attributes: i.product.attributes ?? {},
    dimensions: dimensionsOf(i.terms?.OnDemand),
  };
}

function dimensionsOf(terms: OnDemandTerms | undefined): PricedProduct['dimensions'] {
  const dims = Object.values(terms ?? {}).flatMap((t) => Object.values(t.priceDimensions ?? {}));
  return dims
    .map((d) => ({ unit: d.unit ?? '', beginRange: Number(d.beginRange ?? 0), usd: Number(d.pricePerUnit?.USD) }))
    .filter((d) => Number.isFinite(d.usd))
    .sort((a, b) => a.beginRange - b.beginRange);
}

function text(value: unknown, origin: string, field: string): string {
  if (typeof value !== 'string') throw new Error(`${origin}: ${field} missing`);
  return value;
}
