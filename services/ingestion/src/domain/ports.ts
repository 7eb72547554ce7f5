// What ingestion's use cases ask outside the service, as a port: which shop owns a sending
// number (the subscriber service, over gRPC, in adapters/shop-directory.adapter.ts).

export interface ShopDirectory {
  /** The shop domain whose sending number is `phoneNumber`, or null. */
  shopFor(phoneNumber: string): Promise<string | null>;
  /** Whether the shop has set up the app (has settings). */
  exists(shop: string): Promise<boolean>;
}
