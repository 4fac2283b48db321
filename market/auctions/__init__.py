"""Auctions of defaulted collateral (质押专利网络拍卖): announcement, deposits, bids, award, payment, settlement."""
