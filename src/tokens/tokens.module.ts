import { Module } from '@nestjs/common';
import { ClientCredentialsStatus } from './client-credentials-status.service';
import { ProviderDiscovery } from './provider-discovery.service';
import { TokenVerifier } from './token-verifier.service';

@Module({
  providers: [ProviderDiscovery, TokenVerifier, ClientCredentialsStatus],
  exports: [ProviderDiscovery, TokenVerifier, ClientCredentialsStatus],
})
export class TokensModule {}
