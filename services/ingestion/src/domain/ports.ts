// What ingestion's use cases ask outside the service, as a port: which shop owns a sending
// number (the subscriber service, over gRPC, in adapters/shop-directory.adapter.ts).

/** The shop a sending number belongs to, as the subscriber service said at `asOf`. */
export interface NumberOwner {
  shop: string;
  /** When the answer was given (a remembered answer is as old as the asking). */
  asOf: Date;
}

export interface ShopDirectory {
  /** The shop whose sending number is `phoneNumber`, or null. */
  shopFor(phoneNumber: string): Promise<NumberOwner | null>;
  /** Whether the shop has set up the app (has settings). */
  exists(shop: string): Promise<boolean>;
}
