import { Module } from '@nestjs/common';
import { ProviderDiscovery } from './provider-discovery.service';
import { TokenVerifier } from './token-verifier.service';

@Module({
  providers: [ProviderDiscovery, TokenVerifier],
  exports: [ProviderDiscovery, TokenVerifier],
})
export class TokensModule {}
