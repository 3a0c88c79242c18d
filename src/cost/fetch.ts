import { PricingClient, paginateGetProducts, type Filter } from '@aws-sdk/client-pricing';
import { timeoutHandler } from '../aws/timeout.js';
import { readOffer, type PricedProduct } from './offers.js';

/** The product families each offer is narrowed to: a region's whole RDS offer is tens of thousands of products. */
const QUERIES: { serviceCode: string; productFamily?: string }[] = [
  { serviceCode: 'AmazonECS', productFamily: 'Compute' },
  { serviceCode: 'AmazonRDS', productFamily: 'Database Instance' },
  { serviceCode: 'AmazonRDS', productFamily: 'Database Storage' },
  { serviceCode: 'AmazonRDS', productFamily: 'Provisioned IOPS' },
  { serviceCode: 'AmazonCloudWatch', productFamily: 'Alarm' },
  { serviceCode: 'AmazonCloudWatch', productFamily: 'Dashboard' },
];

/**
 * Reads the products a price table needs with `pricing:GetProducts` (the Price List Query API answers in us-east-1
 * and ap-south-1 only, for every region). Needs AWS credentials allowed `pricing:GetProducts`.
 */
export async function fetchProducts(region: string, awsTimeout: number): Promise<PricedProduct[]> {
  const client = new PricingClient({ region: 'us-east-1', requestHandler: timeoutHandler(awsTimeout) });
  const products: PricedProduct[] = [];
  for (const q of QUERIES) {
    const Filters: Filter[] = [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: region }];
    if (q.productFamily) Filters.push({ Type: 'TERM_MATCH', Field: 'productFamily', Value: q.productFamily });
    for await (const page of paginateGetProducts({ client, pageSize: 100 }, { ServiceCode: q.serviceCode, Filters, FormatVersion: 'aws_v1' })) {
      products.push(...readOffer({ PriceList: page.PriceList ?? [] }, `GetProducts ${q.serviceCode}`));
    }
  }
  return products;
}
