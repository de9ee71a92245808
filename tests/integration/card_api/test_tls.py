"""The client certificate (``cert``): read when the client is made (an unreadable file is a
CardInputError naming card.cert, nothing else), and presented to a gateway that requires it —
the emulator behind TLS that accepts only this certificate."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from cashier_app.card_api import CardClient, CardInputError, CardNoAnswer
from cashier_app.emulator import CardGateway

from .conftest import TOKEN, payment

#: A self-signed certificate for 127.0.0.1 (valid until 2126) with its key: the gateway's
#: and the client's at once (each trusts only it). A test fixture, no secret.
PEM = """\
-----BEGIN CERTIFICATE-----
MIIDNDCCAhygAwIBAgIURnOFf13KVSa4XNDIgx/zZpuyncEwDQYJKoZIhvcNAQEL
BQAwFDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwMTE5NDMxM1oYDzIxMjYx
MTA3MTk0MzEzWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwggEiMA0GCSqGSIb3DQEB
AQUAA4IBDwAwggEKAoIBAQCKfKZ9B4BlsaGiYiOr66x94mIpxARojfSNY5odClPC
d10DyMVYwb+aIqOIjG+T2lLwOMN6Yu9cVmmJZtdBEvBZpkf5OkNESnKo80/Emfma
PLevMRhGoYciRaRD/YsX4sZszGXrbFodM9+MsYJAD6SQfNARv64Vn7H7ds53yUU9
V3MdM3sd2Et8SPAutzUG2xgpdGGOB3NmcEGk4/lblAUFQ+PLBV/Jx7F2u2LIPfY3
0meDRZxN399xyv+dpvDZevGa520JnkBgREwW+L/dzzDLqhC5jEsdvzFKwJrOV24r
eSO6QVYCUjCyR3mwInqAHD0MKau6kDUykJjdGObeLj9LAgMBAAGjfDB6MB0GA1Ud
DgQWBBTsSPFnzH4ZF+71mbmikSvnEcVzATAfBgNVHSMEGDAWgBTsSPFnzH4ZF+71
mbmikSvnEcVzATAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwDwYDVR0TAQH/
BAUwAwEB/zALBgNVHQ8EBAMCAqQwDQYJKoZIhvcNAQELBQADggEBAFrnnzYACz17
VvvSLPrUcw8HuEZO3vbUPYwZKv50iztRs6rlQkC4W94GuBd5S9hRm7aKRRw13H7y
2NDloBs62ARJUJdTybGUKM9d94ivzqnNXLn4iyA60F830YnJG4Ifsr/x6xLAZ7d4
9stsh/jsA9uCT2tVdDY92kHZENoX7isbS7W2QNBdaiCLV7tl9859HyLTXPKcS+Hp
oWzppRPVe+gF7fMpwTFbm0FZNvudwkF6DxXG5m76QKK88P7TyFlRc9Lw9aESnpn+
fnBlanan57X0q6gB4vDPeBdBKGNw6dSLzS0chMIxxexHQkbZPcO4d5C3vEZRETon
n8xd0yydnUU=
-----END CERTIFICATE-----
-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCKfKZ9B4BlsaGi
YiOr66x94mIpxARojfSNY5odClPCd10DyMVYwb+aIqOIjG+T2lLwOMN6Yu9cVmmJ
ZtdBEvBZpkf5OkNESnKo80/EmfmaPLevMRhGoYciRaRD/YsX4sZszGXrbFodM9+M
sYJAD6SQfNARv64Vn7H7ds53yUU9V3MdM3sd2Et8SPAutzUG2xgpdGGOB3NmcEGk
4/lblAUFQ+PLBV/Jx7F2u2LIPfY30meDRZxN399xyv+dpvDZevGa520JnkBgREwW
+L/dzzDLqhC5jEsdvzFKwJrOV24reSO6QVYCUjCyR3mwInqAHD0MKau6kDUykJjd
GObeLj9LAgMBAAECggEAAWVkSu+1FvwFbxz3fcIwc6HBROku9Nw0J5YQyv4m/gI0
s9cQS5FtxwtWWV1hD+fW3N5q9LmOmYBdgVRsvcEydGo9YNZ6MHQNAoWsENqkg4OH
2Szw27Vr0VKhEfZlB+acrXgaBuzes7Cpg5eT1+V7I+G+OeTpclpbxvcu+ad+b9yF
XAs++W6N8KH/Kn464pM2aLGXGkRk3SQTSQKC9LyHcL9lKqMXXn4yDZzRqLzvRAUJ
KGMKsbXfHwhhTbZvmpGpKCxlttfmDSGfm29fYCJsNowOVlF2iP/nfzX94JLMVSA9
b2Ri+pAOXrb13TTNAJLtZhYzmM1FI3yRNs4qoiloEQKBgQC8sJ9oEegJgZMvZwyg
9xawOeTUNWFQzyqR7CqH5iVMluFPgntljhJ31UMeHGD8wpKaR4s2KM+eJ14mmS31
8wRV6e1DKGrkss/Zunb+NvFLXi5wxQ8293qGzWMt+tc2BK+uqE0QbzaFaBHLvurA
1wiGG+AS1Ovist0LEyOiHwHjPQKBgQC74257JbH8i+nBG1bdHSmL4RhI8gfcP5gv
biWx0I/5zzEDm+DFsjB+KUTirfVBa1DpWyqcGf6gAP7t5+ZCER0TXCk45gAfFrgZ
mqRQ9HFD22zQ5EqiDIYWjdZqimQ6P11ClLxUcqy+n7dkg24mqFROcNRwuehI5+uY
4bSlfc01JwKBgAzbtGExJzDOpasLSK8HZ4Jmz5MueA07sNj00Qklw9DuTzhN2f7X
qaaE3+gDYxCWacsdqPzt1wgeAqp6scka4GbCZCq5bF9dWBCsRkOYluTd7Cg/JYRH
ZRAemu2dNGE3/IjYazf9fCenKd9KiVDO1oPdDm36GIEAU1PX4AvCNSy5AoGBAIGM
u6zlvOepgS/JLgegB/mO5zPEzm6q2sA5bnxAlkVk+yLF5CHsT0tuITU7RRQqbsu4
NJUVx1+D0EMx1q5PJoEm1rWIwSSugZoF6q53HXHwZgNSpbM+d2Ytvl4PtjQDZMZ3
z7Narolxjv4bMWQuRJMhcRmY1fUPFH+BgRFqwIeZAoGACkK1jpRWIQjERmG61UGL
G2XAP7jKNUIvd+GANB2RVprRKaS7htlZ1iYa2Vfu3TLPIqudpS+B92olFqAE21U5
CU+XQ8Ns5i10BxBzXumIyXbwfEzMnStDwz73mnf9/P6h9jSlERxWh6oDW165f3TM
Gy2rP+IeyHKuZlRcQi2SrkM=
-----END PRIVATE KEY-----
"""


@pytest.fixture
def pem(tmp_path: Path) -> Path:
    path = tmp_path / "client.pem"
    path.write_text(PEM)
    return path


@pytest.fixture
def tls_gateway(pem: Path) -> Iterator[CardGateway]:
    """The emulator's listening socket wrapped in TLS that requires our certificate."""
    gateway = CardGateway(token=TOKEN)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pem)
    context.load_verify_locations(pem)
    context.verify_mode = ssl.CERT_REQUIRED
    httpd = gateway._httpd
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    gateway.start()
    try:
        yield gateway
    finally:
        gateway.stop()


def https(gateway: CardGateway) -> str:
    return f"https://127.0.0.1:{gateway.port}"


def test_the_certificate_is_presented_and_accepted(tls_gateway: CardGateway, pem: Path
                                                   ) -> None:
    async def work() -> str:
        async with CardClient(https(tls_gateway), TOKEN, cert=str(pem), verify=str(pem),
                              timeout=5) as client:
            return (await client.create(payment())).reg_pay_num

    number = asyncio.run(work())
    assert number in tls_gateway.books()


def test_without_the_certificate_there_is_no_answer(tls_gateway: CardGateway, pem: Path
                                                    ) -> None:
    async def work() -> CardNoAnswer:
        async with CardClient(https(tls_gateway), TOKEN, verify=str(pem), timeout=5) as client:
            try:
                await client.create(payment())
            except CardNoAnswer as error:
                return error
        raise AssertionError("no error")

    error = asyncio.run(work())
    assert error.kind in ("tls", "reset")
    assert tls_gateway.books() == {}


@pytest.mark.parametrize("content", [None, "", "not a certificate", PEM.split("-----BEGIN "
                                                                              "PRIVATE")[0]])
def test_an_unreadable_certificate_is_refused_when_the_client_is_made(
        tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "cert.pem"
    if content is not None:
        path.write_text(content)
    with pytest.raises(CardInputError) as refused:
        CardClient("https://gateway.test", TOKEN, cert=str(path))
    assert refused.value.field == "card.cert"
    assert str(refused.value).startswith("Не удалось прочитать сертификат клиента (card.cert)")
    assert "BEGIN" not in str(refused.value) and str(path) not in str(refused.value)


def test_a_directory_is_not_a_certificate(tmp_path: Path) -> None:
    with pytest.raises(CardInputError):
        CardClient("http://127.0.0.1:1", TOKEN, cert=str(tmp_path))
